"""What a reflection's body must be, checked once for the /reflect form and the offline API.

`ReflectionBody` is the one place for these rules; the API's `ReflectionIn` adds the sync
fields to it (app/api/schemas.py) and `save_reflection()` loads every body through it.
WTForms only renders the form and checks its CSRF token and the lengths a browser can show.
"""

from __future__ import annotations

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.models import ReflectionTemplate
from app.schemas import StrictBoolean, Text, choices_of

ANSWER_MAX = 4000
WORKAROUND_MAX = 1000
LINK_PATTERN = r"^((report|debrief):\d{1,10})?$"  # report numbers run to 2**31 - 1
LARGEST_ID = 2**31 - 1
NOT_YOURS = "Choose one of your own reports or debriefs."


def _prompt_keys() -> frozenset[str]:
    return frozenset(p.key for template in ReflectionTemplate for p in template.prompts)


class ReflectionBody(Schema):
    """One reflection: its question set, an answer per prompt, an optional link to one of the
    author's reports or debriefs, sharing, and an unsafe workaround to flag (optional).

    Loads to `template` (a ReflectionTemplate value), `answers` (the non-blank answers,
    trimmed), `report_id`, `debrief_id`, `shared` and `workaround` (None when blank).
    """

    template = fields.String(
        load_default=ReflectionTemplate.HELPED_HINDERED.value,
        validate=choices_of(ReflectionTemplate, error="Choose one of the reflection templates."),
    )
    answers = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$")),
        values=fields.String(
            allow_none=True,
            validate=[
                validate.Length(
                    max=ANSWER_MAX, error=f"Keep each answer under {ANSWER_MAX} characters."
                ),
                validate.Regexp(
                    r"^[^\x00]*$", error="Remove the hidden characters from this answer."
                ),
            ],
        ),
        required=True,
        metadata={"description": "The template's prompt key to the answer"},
    )
    link = fields.String(
        validate=validate.Regexp(LINK_PATTERN, error=NOT_YOURS),
        metadata={"description": "report:<id> or debrief:<id> (optional)"},
    )
    shared = StrictBoolean(load_default=False, metadata={"description": "Share with my supervisor"})
    workaround = Text(WORKAROUND_MAX, allow_none=True)

    @pre_load
    def gather_answers(self, data, **_kwargs):
        """Accept the form's flat prompt boxes as well as an `answers` object."""
        if not isinstance(data, dict):
            return data
        keys = _prompt_keys()
        flat = {k: v for k, v in data.items() if k in keys}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in flat}
        nested = rest.get("answers") if isinstance(rest.get("answers"), dict) else {}
        return {**rest, "answers": {**nested, **flat}}

    @validates_schema
    def answers_fit_the_template(self, data, **_kwargs):
        if int((data.get("link") or ":0").partition(":")[2]) > LARGEST_ID:
            raise ValidationError(NOT_YOURS, "link")
        template = ReflectionTemplate(data.get("template") or ReflectionTemplate.HELPED_HINDERED)
        answers = data.get("answers") or {}
        unknown = set(answers) - {p.key for p in template.prompts}
        if unknown:
            raise ValidationError(f"Unknown questions: {', '.join(sorted(unknown))}.", "answers")
        if not any((value or "").strip() for value in answers.values()):
            raise ValidationError("Write something in at least one box.", template.prompts[0].key)

    @post_load
    def cleaned(self, data, **_kwargs):
        """The body as the service saves it (any other fields, such as the API's sync fields,
        pass through)."""
        kind, _, number = (data.pop("link", None) or "").partition(":")
        return {
            **data,
            "template": data.get("template") or ReflectionTemplate.HELPED_HINDERED.value,
            "answers": {k: v.strip() for k, v in data["answers"].items() if (v or "").strip()},
            "report_id": int(number) if kind == "report" else None,
            "debrief_id": int(number) if kind == "debrief" else None,
            "shared": bool(data.get("shared")),
            "workaround": (data.get("workaround") or "").strip() or None,
        }
