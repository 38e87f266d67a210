"""marshmallow schemas for the JSON API. Unknown fields are refused (marshmallow's RAISE),
and the choices come from the model enums, so the document and the rules cannot drift."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from app.reflections.schemas import ReflectionBody
from app.reports.schemas import ReportBody
from app.schemas import DeviceTime
from app.supervision.schemas import ObservationBody


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


class ObservationIn(SyncedSchema, ObservationBody):
    """A whole, finished competency observation (see app/api/views.py create_observation), with
    the same answers as the /observe form: app/supervision/schemas.py holds the rules and the
    field keys a refusal names; the form is checked by the same schema."""


class ObservationOut(Schema):
    id = fields.Integer(required=True)
    client_id = fields.String(required=True, allow_none=True)
    staff_id = fields.Integer(required=True)
    outcome = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True, allow_none=True)
    device_time = fields.AwareDateTime(required=True, allow_none=True)
    url = fields.String(required=True)
