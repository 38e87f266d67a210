"""The pieces every area's WTForms repeat, written once so a rule reads the same everywhere.

WTForms renders the HTML forms and checks their CSRF token; the rules of a record's answers
live in its area's service or schema. What the forms themselves kept writing again:

- `text_field(label, limit)`: free text refused whole over its limit, in the words the JSON
  API's `app/schemas.Text` uses (`TOO_LONG`). Unlike WTForms' `Length` it puts no `maxlength`
  on the input, so a browser never cuts a pasted text short without a word.
- `date_field(label)`: a date from 1900 to 3000 (`app/inputs.DateField`), optional unless
  given the message for a blank one.
- `choices(pairs)` and `enum_choices(Enum)`: options from (value, label) pairs or from a
  model enum, so a form's options and the model cannot drift.
- `CheckboxesField`: a multiple choice as a list of checkboxes, which needs no JavaScript.

The bounded fields of app/inputs.py (`DateField`, `DateTimeLocalField`, `IntegerField`,
`choice_id`) are imported from here too, so a form module needs one import for its pieces.
A lost-update check needs no field here: edit templates carry the record's version with the
`version_field(record)` macro of _macros.html, which app/concurrency.py reads.
"""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.inputs import DateField, DateTimeLocalField, IntegerField, choice_id

# The words of app/schemas.Text, so a form and the API refuse long text alike.
TOO_LONG = "This can be up to {max} characters. Please shorten it and send it again."

__all__ = [
    "CheckboxesField",
    "DateField",
    "DateTimeLocalField",
    "IntegerField",
    "TOO_LONG",
    "TextLimit",
    "choice_id",
    "choices",
    "date_field",
    "enum_choices",
    "text_field",
]


class TextLimit:
    """At most `limit` characters, refused whole with `TOO_LONG` (or `message`). It sets no
    field flag, so the input gets no `maxlength` that would cut a paste short."""

    def __init__(self, limit: int, message: str | None = None):
        self.limit = limit
        self.message = message or TOO_LONG.format(max=limit)

    def __call__(self, form, field) -> None:
        if field.data and len(field.data) > self.limit:
            raise ValidationError(self.message)


def text_field(
    label: str,
    limit: int,
    *,
    required: str | None = None,
    area: bool = False,
    rows: int | None = None,
    too_long: str | None = None,
    validators=(),
    render_kw: dict | None = None,
    **kwargs,
):
    """Free text up to `limit` characters: a one-line box, or a text area when `area` (of
    `rows` rows, when given).

    `required` is the message for a blank answer (none: the answer is optional); `too_long`
    replaces `TOO_LONG` where the API words that limit its own way, so both say the same.
    Other arguments go to the WTForms field."""
    checks = [InputRequired(required)] if required else []
    checks += [TextLimit(limit, too_long), *validators]
    if not (area or rows):
        return StringField(label, validators=checks, render_kw=render_kw, **kwargs)
    if rows:
        render_kw = {"rows": rows, **(render_kw or {})}
    return TextAreaField(label, validators=checks, render_kw=render_kw, **kwargs)


def date_field(label: str, *, required: str | None = None, validators=(), **kwargs) -> DateField:
    """A date from 1900 to 3000; `required` is the message for a blank one (none: optional)."""
    first = InputRequired(required) if required else Optional()
    return DateField(label, validators=[first, *validators], **kwargs)


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def enum_choices(enum_class, only=None, *, first: tuple[str, str] | None = None):
    """A model enum's (value, label) choices, or `only` these members; `first` goes before
    them (a blank "Choose one", say)."""
    members = only or enum_class
    return choices([*([first] if first else []), *((m.value, m.label) for m in members)])


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes: a multiple choice that works without JavaScript. A value that is
    not offered is refused with `invalid_message`."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, invalid_message: str = "Choose from the list.", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid_message) from None
