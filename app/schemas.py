"""Field types every marshmallow schema here shares: the JSON API's, and the areas' own
schemas for the bodies that the web forms and the offline API both send (reports,
reflections, observations). WTForms renders and protects the forms; these check the answers.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import ValidationError, fields, validate


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
            validate.Length(min=1 if required else 0),
            # Refused whole, never cut short: the device keeps it to shorten and send again.
            validate.Length(
                max=max_length,
                error="This can be up to {max} characters. Please shorten it and send it again.",
            ),
            validate.Regexp(r"^[^\x00]*$", error="Remove the hidden characters from this answer."),
        ],
        **kwargs,
    )


class DeviceTime(fields.AwareDateTime):
    """A device's clock with its offset, which must still be a date once moved to UTC
    (year 9999 at -23:59 is not; nor is year 1 at +14:00)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError("This time is out of range.") from error
        return moment


def choices_of(enum_class, only=None, **kwargs) -> validate.OneOf:
    """The enum's values (or `only` these members), so rules and models cannot drift."""
    return validate.OneOf([member.value for member in (only or enum_class)], **kwargs)


def flat_errors(messages: dict | list) -> dict[str, list[str]]:
    """marshmallow's nested messages as {"field" or "field.inner": [message, ...]}."""
    if not isinstance(messages, dict):
        messages = {"_body": messages}
    flat: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            for inner, inner_value in flat_errors(value).items():
                flat[f"{name}.{inner}"] = inner_value
        else:
            flat[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return flat
