"""What a competency observation's body must be, checked once for the /observe form and the
offline API.

`ObservationBody` is the one place for these rules; the API's `ObservationIn` adds the sync
fields to it (app/api/schemas.py) and `record_observation_once()` loads every body through it,
the form's and the API's alike. WTForms only renders the /observe form and checks its CSRF
token. What needs the checklist or the draft (every item answered, the outcome a critical item
forces, the dates in order) is checked by the service after the body loads.

One set of field keys, the page's: a refusal names the box it belongs beside on the
observation page, however the body was sent, so the page shows each message beside its box
and the outbox (app/static/js/outbox-ui.js) finds the same box when a draft comes back to be
fixed. `item-<id>` is an item's result and `note-<id>` its note; `action_<n>` and
`action_<n>_due` are the n-th development action and its date, counted from 1; the other
fields keep their names (`summary`, `outcome`, `reobserve_on`, `observed_on`, `actions` for
the list as a whole). A client that sends `items` and `actions` as objects reads
`items.<id>.note` as `note-<id>`, `items.<id>.result` as `item-<id>`, and the action at
index i of `actions` as `action_<i + 1>`.
"""

from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from app.models import ItemResult, Outcome
from app.schemas import Text, choices_of, flat_errors

NOTE_MAX = 2000
SUMMARY_MAX = 4000
ACTION_MAX = 500
MODULE_MAX = 80
COMMENT_MAX = 2000  # the observed person's comment, and the supervisee's
MAX_ACTIONS = 10
LARGEST_ID = 2**31 - 1

ITEM_FIELD = r"^(item|note)-(\d{1,9})$"
ACTION_FIELD = r"^action_([1-9]\d?)(_due)?$"
CHOOSE_RESULT = "Choose met, not yet or N/A."
DATE_LIKE = "Enter the date like 2026-12-24."
# The words of app.schemas.Text, for the boxes saved one at a time (a note as it is typed).
TOO_LONG = "This can be up to {max} characters. Please shorten it and send it again."

# Nested error names (as app.schemas.flat_errors writes them) to the page's box names.
_PAGE_KEYS = [
    (re.compile(r"^items\.(\d+)\.value\.result$"), lambda m: f"item-{m[1]}"),
    (re.compile(r"^items\.(\d+)\.value\.note$"), lambda m: f"note-{m[1]}"),
    (re.compile(r"^actions\.(\d+)\.description$"), lambda m: f"action_{int(m[1]) + 1}"),
    (re.compile(r"^actions\.(\d+)\.due_on$"), lambda m: f"action_{int(m[1]) + 1}_due"),
]
_BLANK_IS_NONE = ("outcome", "observed_on", "reobserve_on", "summary")


def page_keys(messages: dict | list) -> dict[str, list[str]]:
    """marshmallow's messages under the observation page's box names (see the module doc)."""
    keyed: dict[str, list[str]] = {}
    for name, found in flat_errors(messages).items():
        for pattern, rename in _PAGE_KEYS:
            if match := pattern.match(name):
                name = rename(match)
                break
        keyed.setdefault(name, []).extend(found)
    return keyed


def _none_if_blank(value):
    return None if isinstance(value, str) and not value.strip() else value


class ObservationItemBody(Schema):
    class Meta:
        unknown = RAISE

    result = fields.String(allow_none=True, validate=choices_of(ItemResult, error=CHOOSE_RESULT))
    note = Text(NOTE_MAX, allow_none=True)


class ObservationActionBody(Schema):
    class Meta:
        unknown = RAISE

    description = Text(ACTION_MAX, allow_none=True)
    due_on = fields.Date(allow_none=True, error_messages={"invalid": DATE_LIKE})


class ObservationBody(Schema):
    """A whole, finished competency observation.

    Either `draft_id` (the draft opened online at /observe/<id>, whose person, checklist and
    add-ons are already chosen) or `staff_id` and `template_id`. The form's flat fields
    (`item-<id>`, `note-<id>`, `action_<n>`, `action_<n>_due`) are accepted as well as
    `items` and `actions` objects. Loads to `items` ({"<id>": {"result", "note"}}, notes
    trimmed, None when blank), `actions` (every row in order, descriptions trimmed, blank
    rows kept so the n-th is still `action_<n>`), `outcome`, `summary` (None when blank),
    `observed_on` and `reobserve_on` (dates or None); a loaded body loads again unchanged.
    """

    class Meta:
        unknown = RAISE

    draft_id = fields.Integer(validate=validate.Range(min=1, max=LARGEST_ID))
    staff_id = fields.Integer(
        validate=validate.Range(min=1, max=LARGEST_ID, error="Choose who you are observing.")
    )
    template_id = fields.Integer(
        validate=validate.Range(min=1, max=LARGEST_ID, error="Choose a checklist.")
    )
    modules = fields.List(Text(MODULE_MAX), validate=validate.Length(max=20))
    observed_on = fields.Date(allow_none=True, error_messages={"invalid": DATE_LIKE})
    items = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d{1,9}$")),
        values=fields.Nested(ObservationItemBody),
        required=True,
        metadata={"description": "Checklist item id to its result and note"},
    )
    outcome = fields.String(
        allow_none=True,
        validate=choices_of(Outcome, error="Choose competent or not yet competent."),
    )
    summary = Text(SUMMARY_MAX, allow_none=True)
    reobserve_on = fields.Date(allow_none=True, error_messages={"invalid": DATE_LIKE})
    actions = fields.List(
        fields.Nested(ObservationActionBody),
        validate=validate.Length(max=MAX_ACTIONS, error=f"Add at most {MAX_ACTIONS} actions."),
    )

    @pre_load
    def gather_form_fields(self, data, **_kwargs):
        """Accept the form's flat fields as well as `items` and `actions` objects, and read a
        blank answer as no answer (a form sends every box, filled or not)."""
        if not isinstance(data, dict):
            return data
        items: dict[str, dict] = {}
        actions: dict[int, dict] = {}
        rest = {}
        for key, value in data.items():
            if match := re.match(ITEM_FIELD, key):
                name = "result" if match[1] == "item" else "note"
                items.setdefault(match[2], {})[name] = value
            elif match := re.match(ACTION_FIELD, key):
                name = "due_on" if match[2] else "description"
                actions.setdefault(int(match[1]), {})[name] = value
            else:
                rest[key] = value
        if items:
            nested = rest.get("items") if isinstance(rest.get("items"), dict) else {}
            rest["items"] = {**nested, **items}
        if actions:
            rest["actions"] = [actions.get(n, {}) for n in range(1, max(actions) + 1)]
        for name in _BLANK_IS_NONE:
            if name in rest:
                rest[name] = _none_if_blank(rest[name])
        if isinstance(rest.get("items"), dict):
            rest["items"] = {
                key: {k: _none_if_blank(v) for k, v in entry.items()}
                if isinstance(entry, dict)
                else entry
                for key, entry in rest["items"].items()
            }
        if isinstance(rest.get("actions"), list):
            rest["actions"] = [
                {**action, "due_on": _none_if_blank(action["due_on"])}
                if isinstance(action, dict) and "due_on" in action
                else action
                for action in rest["actions"]
            ]
        return rest

    @post_load
    def cleaned(self, data, **_kwargs):
        """The body as the service reads it (any other fields, such as the API's sync fields,
        pass through)."""
        return {
            **data,
            "items": {
                str(key): {
                    "result": entry.get("result") or None,
                    "note": (entry.get("note") or "").strip() or None,
                }
                for key, entry in data["items"].items()
            },
            "outcome": data.get("outcome") or None,
            "summary": (data.get("summary") or "").strip() or None,
            "observed_on": data.get("observed_on"),
            "reobserve_on": data.get("reobserve_on"),
            "actions": [
                {
                    "description": (action.get("description") or "").strip(),
                    "due_on": action.get("due_on"),
                }
                for action in data.get("actions") or []
            ],
        }

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        """Name every refusal by the observation page's boxes (see the module doc)."""
        raise ValidationError(
            page_keys(error.messages), data=error.data, valid_data=error.valid_data
        ) from None
