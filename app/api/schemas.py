"""marshmallow schemas for the JSON API. Unknown fields are refused (marshmallow's RAISE),
and the choices come from the model enums, so the document and the rules cannot drift."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from app.models import Category, PhysicalHarm, PsychologicalHarm, ReportKind, TimeBracket

FOLLOW_UP_PREFIX = "follow_up_"


class StrictBoolean(fields.Boolean):
    """JSON true or false only: never "yes", 1 or "on" (form strings are the HTML view's job)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


def Text(max_length: int, *, required: bool = False, **kwargs) -> fields.String:  # noqa: N802
    """Free text: no NUL characters (databases refuse them), and a length limit."""
    return fields.String(
        required=required,
        validate=[
            validate.Length(min=1 if required else 0, max=max_length),
            validate.Regexp(r"^[^\x00]*$", error="Remove the hidden characters from this answer."),
        ],
        **kwargs,
    )


def _choices(enum_class, only=None) -> validate.OneOf:
    return validate.OneOf([member.value for member in (only or enum_class)])


class SyncedSchema(Schema):
    """What every synced record carries: the draft's own id and the device's clock."""

    class Meta:
        unknown = RAISE

    client_id = fields.UUID(
        required=True, metadata={"description": "UUID v4 made on the device when the draft began"}
    )
    device_time = fields.AwareDateTime(
        metadata={"description": "The device's clock when the draft was made (with its offset)"}
    )


class ReportIn(SyncedSchema):
    """A near miss or incident, with the same answers as the report form."""

    description = Text(5000, required=True)
    kind = fields.String(
        required=True,
        validate=_choices(ReportKind, (ReportKind.NEAR_MISS, ReportKind.INCIDENT)),
    )
    category = fields.String(required=True, validate=_choices(Category))
    time_bracket = fields.String(validate=_choices(TimeBracket))
    occurred_at = fields.String(
        validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"),
        metadata={"description": "Local UK time, YYYY-MM-DDTHH:MM (for time_bracket exact)"},
    )
    occurred_on = fields.Date(metadata={"description": "The day, for the other time brackets"})
    physical_harm = fields.String(
        validate=_choices(PhysicalHarm), metadata={"description": "Required for incidents"}
    )
    psychological_harm = fields.String(validate=_choices(PsychologicalHarm))
    location = Text(200)
    person_reference = Text(40)
    immediate_action = Text(5000)
    anonymous = StrictBoolean()
    follow_up = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$")),
        values=Text(2000),
        metadata={"description": "Answers to the category's follow-up questions"},
    )

    @pre_load
    def gather_follow_up(self, data, **_kwargs):
        """Accept the form's `follow_up_<name>` fields as well as a `follow_up` object."""
        if not isinstance(data, dict):
            return data
        flat = {k: v for k, v in data.items() if k.startswith(FOLLOW_UP_PREFIX)}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in flat}
        nested = dict(rest.get("follow_up") or {})
        nested.update({k.removeprefix(FOLLOW_UP_PREFIX): v for k, v in flat.items()})
        return {**rest, "follow_up": nested}


class ReportOut(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True)
    client_id = fields.String(required=True, allow_none=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    status = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    device_time = fields.AwareDateTime(required=True, allow_none=True)
    receipt_code = fields.String(
        allow_none=True,
        metadata={"description": "Anonymous reports only, only when just created: shown once"},
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
