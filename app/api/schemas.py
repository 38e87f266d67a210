"""marshmallow schemas for the JSON API. Unknown fields are refused (marshmallow's RAISE),
and the choices come from the model enums, so the document and the rules cannot drift."""

from __future__ import annotations

import re

from marshmallow import EXCLUDE, RAISE, Schema, fields, pre_load, validate

from app.reflections.schemas import ReflectionBody
from app.reports.schemas import ReportBody
from app.schemas import DeviceTime, Text


class SyncedSchema(Schema):
    """What every synced record carries: the draft's own id and the device's clock."""

    class Meta:
        unknown = RAISE

    client_id = fields.UUID(
        required=True, metadata={"description": "UUID v4 made on the device when the draft began"}
    )
    device_time = DeviceTime(
        metadata={"description": "The device's clock when the draft was made (with its offset)"}
    )
    written_by = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "The id of the person signed in when the draft was written. When "
            "it is not the person signed in now, the answer is 409 and nothing is stored: "
            "the draft waits on the device for its writer."
        },
    )


class ReportIn(SyncedSchema, ReportBody):
    """A near miss or incident, with the same answers as the report form: ReportBody
    (app/reports/schemas.py) holds the rules, and the form's answers go through them too."""


class ReportOut(Schema):
    """An anonymous report has no number or time here: it is held, then released to
    managers at a random moment (app/reports/anonymity.py)."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, allow_none=True)
    client_id = fields.String(required=True, allow_none=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    status = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True, allow_none=True)
    device_time = fields.AwareDateTime(required=True, allow_none=True)
    receipt_code = fields.String(
        allow_none=True,
        metadata={
            "description": "Anonymous reports only: the code, when just created, and on a "
            "resend that carries the same code; null when it cannot be shown"
        },
    )
    url = fields.String(allow_none=True)


class UserOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    service = fields.String(required=True)


class SessionOut(Schema):
    user = fields.Nested(UserOut, required=True)
    csrf_token = fields.String(required=True)
    offline_urls = fields.List(
        fields.String(), metadata={"description": "Pages to keep for reading offline"}
    )


class ErrorOut(Schema):
    error = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field name to the messages that say what to fix"},
    )
    sign_in = fields.String(metadata={"description": "Where to sign in again (401 only)"})
    code = fields.String(
        metadata={"description": "`csrf` when the CSRF token was missing or stale"}
    )
    message = fields.String(
        metadata={"description": "409 `written_by_someone_else`: what to tell the person"}
    )


class ReflectionIn(SyncedSchema, ReflectionBody):
    """A reflection, with the same answers as the /reflect form (app/reflections/schemas.py
    holds the rules; the form is checked by the same schema)."""


class ReflectionOut(Schema):
    id = fields.Integer(required=True)
    client_id = fields.String(required=True, allow_none=True)
    template = fields.String(required=True)
    shared = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    device_time = fields.AwareDateTime(required=True, allow_none=True)
    url = fields.String(required=True)


ITEM_FIELD = r"^(item|note)-(\d{1,9})$"
ACTION_FIELD = r"^action_(\d{1,2})(_due)?$"


class ObservationItemIn(Schema):
    class Meta:
        unknown = RAISE

    result = fields.String(validate=validate.OneOf(["met", "not_yet", "na"]), allow_none=True)
    note = Text(2000)


class ObservationActionIn(Schema):
    class Meta:
        unknown = RAISE

    description = Text(500)
    due_on = fields.Date(allow_none=True)


class ObservationIn(SyncedSchema):
    """A whole, finished competency observation (see app/api/views.py create_observation).

    Either `draft_id` (the draft opened online at /observe/<id>, whose person, checklist and
    add-ons are already chosen) or `staff_id` and `template_id`. The form's flat fields
    (`item-<id>`, `note-<id>`, `action_<n>`, `action_<n>_due`) are accepted too.
    """

    draft_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    staff_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    template_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    modules = fields.List(Text(80), validate=validate.Length(max=20))
    observed_on = fields.Date()
    items = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d{1,9}$")),
        values=fields.Nested(ObservationItemIn),
        required=True,
        metadata={"description": "Checklist item id to its result and note"},
    )
    outcome = fields.String(validate=validate.OneOf(["competent", "not_yet_competent"]))
    summary = Text(4000)
    reobserve_on = fields.Date()
    actions = fields.List(fields.Nested(ObservationActionIn), validate=validate.Length(max=10))

    @pre_load
    def gather_form_fields(self, data, **_kwargs):
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
            rest["actions"] = [actions[n] for n in sorted(actions)]
        return rest


class ObservationOut(Schema):
    id = fields.Integer(required=True)
    client_id = fields.String(required=True, allow_none=True)
    staff_id = fields.Integer(required=True)
    outcome = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True, allow_none=True)
    device_time = fields.AwareDateTime(required=True, allow_none=True)
    url = fields.String(required=True)
