"""What a report's body must be, checked once for the /report form and the offline API.

`ReportBody` is the one place for these rules: the API's `ReportIn` adds the sync fields to
it (app/api/schemas.py), and `submit_report()` loads every body through it, so the form and
the outbox get the same message, under the same field name, for the same bad answer.

Two dialects, one set of rules. `ReportBody` reads JSON as the API has always taken it:
strict types (true or false for `anonymous`), unknown fields refused. `ReportFormBody` reads
an HTML form's strings: a blank box is no answer, a ticked box ("y", "on") is a yes, a time
with seconds is read to the minute, and the fields the form carries for itself (its CSRF
token, the draft's id) are left out. Both take the follow-up answers as a `follow_up` object
or as the form's `follow_up_<name>` fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.models import utcnow
from app.models.base import UK
from app.models.reports import (
    Category,
    PhysicalHarm,
    PsychologicalHarm,
    ReportKind,
    TimeBracket,
)
from app.reports.follow_ups import FOLLOW_UPS
from app.schemas import StrictBoolean, choices_of

DESCRIPTION_MAX = 5000
TEXT_MAX = 2000
LOCATION_MAX = 200
PERSON_REFERENCE_MAX = 40
FOLLOW_UP_TEXT_MAX = 500
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little fast
REPORT_KINDS = (ReportKind.NEAR_MISS, ReportKind.INCIDENT)  # what the form and the API offer
YES = {"y", "yes", "on", "true", "1"}
FOLLOW_UP_PREFIX = "follow_up_"

# Receipt codes: 16 characters from an alphabet without look-alikes (80 bits), in groups of 4.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 16
RECEIPT_PATTERN = re.compile(
    rf"^[{RECEIPT_ALPHABET}]{{4}}(-[{RECEIPT_ALPHABET}]{{4}}){{{RECEIPT_LENGTH // 4 - 1}}}$"
)
RECEIPT_CODE_MESSAGE = (
    "The receipt code must be four groups of four letters and digits, like ABCD-EFGH-JKMN-PQRS."
)

TELL_US = "Tell us what happened, in a few words."
CHOOSE_KIND = "Choose whether it reached the person."
CHOOSE_CATEGORY = "Choose what kind of event it was."
CHOOSE_WHEN = "Choose when it happened."
CHOOSE_HARM = "Choose whether anyone was hurt."
CHOOSE_ANSWER = "Choose one of the answers."
ENTER_TIME = "Enter the date and time, like 26/11/2026 14:30."
ENTER_DAY = "Enter the day, like 26/11/2026."
HIDDEN_CHARACTERS = "Remove the hidden characters from this answer."
MINUTE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
# What a browser's date-and-time box may send: to the minute, or with seconds.
WITH_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d{1,6})?)?$")


def too_long(label: str, value: str, limit: int) -> str:
    """Say how much to cut: text is refused whole, never cut short without a word."""
    return (
        f"{label} can be up to {limit:,} characters. It has {len(value):,}: "
        f"please shorten it by {len(value) - limit:,} and send it again."
    )


def is_yes(value: Any) -> bool:
    """A ticked box: True, or what a browser or the outbox sends for one."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in YES


class _Limit(validate.Length):
    """At most `max` characters, refused whole with `label` and the figures (a Length, so the
    OpenAPI document shows the limit)."""

    def __init__(self, limit: int, label: str):
        super().__init__(max=limit)
        self.label = label

    def __call__(self, value: str) -> str:
        if len(value) > self.max:
            raise ValidationError(too_long(self.label, value, self.max))
        return value


class _Said(validate.Length):
    """Something besides spaces (a Length of at least 1, for the OpenAPI document)."""

    def __init__(self, message: str):
        super().__init__(min=1, error=message)

    def __call__(self, value: str) -> str:
        if not value.strip():
            raise ValidationError(self.error)
        return value


def Answer(limit: int, label: str, *, blank: str | None = None, **kwargs) -> fields.String:  # noqa: N802
    """Free text, refused whole over `limit` (named `label` in the message) and with NUL
    characters (databases refuse them); `blank` is the message when it must be answered.
    The form's answers come trimmed; `as_saved` trims the API's."""
    checks = [_Limit(limit, label), validate.Regexp(r"^[^\x00]*$", error=HIDDEN_CHARACTERS)]
    if blank:
        checks.insert(0, _Said(blank))
        kwargs.update(required=True, error_messages={"required": blank, "null": blank})
    return fields.String(validate=checks, **kwargs)


def Choice(enum_class, message: str, *, only=None, **kwargs) -> fields.String:  # noqa: N802
    """One of the enum's values (or `only` these members); `message` for anything else."""
    return fields.String(
        validate=choices_of(enum_class, only, error=message),
        error_messages={"required": message, "null": message, "invalid": message},
        **kwargs,
    )


class Checkbox(fields.Boolean):
    """An HTML checkbox: ticked ("y", "on", "true", "yes", "1" or true) or not (anything else)."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        return is_yes(value)


class ReportBody(Schema):
    """One report, as JSON: what happened, whether it reached the person (and whether anyone
    was hurt, for an incident), the kind of event and its follow-up answers, when (a time, or
    a day and a shift, never in the future), where, who, what was done, and anonymity.

    Loads to the values `submit_report` saves: enums for the choices, `occurred_at` in UTC
    (None unless the time is known) and `occurred_on` (the UK day), text trimmed (None when
    blank), the person's reference in capitals, `follow_up` as {question: answer} for the
    category's questions only, `anonymous`, and the checked `receipt_code` (None when none
    came). `now` is the moment "the future" is measured from (the time of loading when None).
    """

    class Meta:
        unknown = RAISE

    description = Answer(DESCRIPTION_MAX, "What happened", blank=TELL_US)
    kind = Choice(ReportKind, CHOOSE_KIND, only=REPORT_KINDS, required=True)
    category = Choice(Category, CHOOSE_CATEGORY, required=True)
    time_bracket = Choice(
        TimeBracket,
        CHOOSE_WHEN,
        metadata={"description": "exact (the default) with occurred_at, or a shift"},
    )
    occurred_at = fields.String(
        validate=validate.Regexp(MINUTE, error=ENTER_TIME),
        error_messages={"invalid": ENTER_TIME},
        metadata={"description": "Local UK time, YYYY-MM-DDTHH:MM (for time_bracket exact)"},
    )
    occurred_on = fields.Date(
        error_messages={"invalid": ENTER_DAY},
        metadata={"description": "The day, for the other time brackets"},
    )
    physical_harm = Choice(
        PhysicalHarm, CHOOSE_HARM, metadata={"description": "Required for incidents"}
    )
    psychological_harm = Choice(PsychologicalHarm, CHOOSE_ANSWER)
    location = Answer(LOCATION_MAX, "Where")
    person_reference = Answer(PERSON_REFERENCE_MAX, "The reference")
    immediate_action = Answer(TEXT_MAX, "What you did straight away")
    anonymous = StrictBoolean(load_default=False)
    receipt_code = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(RECEIPT_PATTERN, error=RECEIPT_CODE_MESSAGE),
        error_messages={"invalid": RECEIPT_CODE_MESSAGE},
        metadata={
            "description": "Anonymous reports: the receipt code made on the device with the "
            "draft (XXXX-XXXX-XXXX-XXXX from the letters and digits of new_receipt_code). Only "
            "its hash is stored; every resend that carries it gets it back. Without one the "
            "server makes a code. Ignored for named reports."
        },
    )
    follow_up = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$")),
        values=fields.String(),
        load_default=dict,
        metadata={
            "description": "Answers to the category's follow-up questions (or the form's "
            "follow_up_<name> fields); answers to another category's questions are left out"
        },
    )

    def __init__(self, *, now: datetime | None = None, **kwargs):
        super().__init__(**kwargs)
        self.now = now

    def answers_of(self, data: dict) -> dict:
        """The body as sent (the form's dialect reads its strings here)."""
        return data

    @pre_load
    def gather(self, data, **_kwargs):
        """This dialect's answers, with the form's `follow_up_<name>` fields gathered into
        `follow_up` (a field of both names is the flat one's)."""
        if not isinstance(data, Mapping):
            return data
        data = self.answers_of(dict(data))
        flat = {k: v for k, v in data.items() if k.startswith(FOLLOW_UP_PREFIX)}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in flat}
        if not isinstance(rest.get("follow_up") or {}, dict):
            return data  # not an object: the field's own check refuses it
        nested = dict(rest.get("follow_up") or {})
        nested.update({k.removeprefix(FOLLOW_UP_PREFIX): v for k, v in flat.items()})
        return {**rest, "follow_up": nested}

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def rules_across_answers(self, data, original, **_kwargs):
        """The rules that read more than one answer, checked with the fields' own so every
        message shows at once: an incident says whether anyone was hurt; the time or day is
        real and not in the future; each follow-up answer fits its question."""
        errors: dict[str, list[str]] = {}
        sent = self.answers_of(dict(original)) if isinstance(original, Mapping) else {}
        if data.get("kind") == ReportKind.INCIDENT and "physical_harm" not in sent:
            errors["physical_harm"] = [CHOOSE_HARM]
        _when(data, self._now(), errors)
        _follow_up(data, errors)
        if errors:
            raise ValidationError(errors)

    @post_load
    def as_saved(self, data, **_kwargs) -> dict:
        """The report's values as the service saves them (any other fields, such as the
        API's sync fields, pass through)."""
        now = self._now()
        bracket = TimeBracket(data.get("time_bracket") or TimeBracket.EXACT)
        occurred_at, occurred_on = _moment(data, bracket, now)
        kind = ReportKind(data["kind"])
        category = Category(data["category"])
        reference = data.get("person_reference") or ""
        return {
            **{k: v for k, v in data.items() if k not in ReportBody._declared_fields},
            "description": data["description"].strip(),
            "kind": kind,
            "category": category,
            "time_bracket": bracket,
            "occurred_at": occurred_at,
            "occurred_on": occurred_on,
            "physical_harm": (
                PhysicalHarm(data["physical_harm"]) if kind is ReportKind.INCIDENT else None
            ),
            "psychological_harm": _member(PsychologicalHarm, data.get("psychological_harm")),
            "location": _trimmed(data.get("location")),
            "person_reference": " ".join(reference.upper().split()) or None,
            "immediate_action": _trimmed(data.get("immediate_action")),
            "follow_up": _follow_up(data, {}),
            "anonymous": bool(data.get("anonymous")),
            "receipt_code": data.get("receipt_code"),
        }

    def _now(self) -> datetime:
        return self.now or utcnow()


class ReportFormBody(ReportBody):
    """The same body from the HTML form: strings, where a blank box is no answer and a ticked
    box is a yes. Fields the form carries for itself (csrf_token, client_id, show_follow_up)
    are left out, as is anything else no rule reads."""

    class Meta:
        unknown = EXCLUDE

    anonymous = Checkbox(load_default=False)

    def answers_of(self, data: dict) -> dict:
        answers = {}
        for name, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if name == "occurred_at" and (minute := WITH_SECONDS.match(value)):
                    value = minute[1]
            if value is not None and value != "":
                answers[name] = value
        return answers


def _trimmed(text: str | None) -> str | None:
    return (text or "").strip() or None


def _member(enum_class, value):
    return enum_class(value) if value else None


def _local_minute(raw: str) -> datetime | None:
    """A UK wall-clock time to the minute, or None when it is no real time (30 February)."""
    try:
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M").replace(tzinfo=UK)
    except ValueError:
        return None


def _when(data: dict, now: datetime, errors: dict) -> None:
    """A known time must be real and not in the future (a phone's clock may run a little
    fast); a day chosen with a shift must not be after today."""
    bracket = data.get("time_bracket") or TimeBracket.EXACT
    if bracket == TimeBracket.EXACT:
        if raw := data.get("occurred_at"):
            local = _local_minute(raw)
            if local is None:
                errors["occurred_at"] = [ENTER_TIME]
            elif local > now + CLOCK_SKEW:
                errors["occurred_at"] = ["The time cannot be in the future."]
    elif (day := data.get("occurred_on")) and day > now.astimezone(UK).date():
        errors["occurred_on"] = ["The day cannot be in the future."]


def _moment(data: dict, bracket: TimeBracket, now: datetime) -> tuple[datetime | None, date]:
    """(occurred_at in UTC, occurred_on): the time when it is known (now, when not given),
    else no time and the day chosen (today, when not given)."""
    if bracket is TimeBracket.EXACT:
        raw = data.get("occurred_at")
        local = _local_minute(raw) if raw else now.astimezone(UK).replace(second=0, microsecond=0)
        return local.astimezone(UTC), local.date()
    return None, data.get("occurred_on") or now.astimezone(UK).date()


def _follow_up(data: dict, errors: dict) -> dict[str, str]:
    """The answers to the category's questions, trimmed (blank ones left out); what does not
    fit its question goes into `errors` under the form's field name."""
    try:
        questions = FOLLOW_UPS.get(Category(data.get("category")), ())
    except ValueError:
        return {}
    answers = data.get("follow_up") or {}
    kept: dict[str, str] = {}
    for question in questions:
        value = (answers.get(question.name) or "").strip()
        if not value:
            continue
        if question.choices is not None and value not in dict(question.choices):
            errors[question.field_name] = [CHOOSE_ANSWER]
        elif len(value) > FOLLOW_UP_TEXT_MAX:
            errors[question.field_name] = [too_long("This answer", value, FOLLOW_UP_TEXT_MAX)]
        elif "\x00" in value:
            errors[question.field_name] = [HIDDEN_CHARACTERS]
        else:
            kept[question.name] = value
    return kept
