"""Forms for meetings, the pulse and the board."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.forms import choices
from app.governance.services import PULSE_QUESTIONS, PULSE_SCALE
from app.inputs import DateField, choice_id
from app.models import MeetingKind


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(FlaskForm):
    kind = SelectField("Kind of meeting", choices=choices((k.value, k.label) for k in MeetingKind))
    held_on = DateField("Date", validators=[InputRequired("Enter the date of the meeting.")])
    title = StringField(
        "Title", validators=[InputRequired("Give the meeting a short title."), Length(max=200)]
    )
    attendees = CheckboxList("Who came", coerce=choice_id, validators=[Optional()])
    reports = CheckboxList(
        "Learning from reports discussed",
        coerce=choice_id,
        validators=[Optional()],
        description="Reports whose learning was shared in the last three months.",
    )
    themes = TextAreaField(
        "Other learning or themes discussed (one per line)",
        validators=[Optional(), Length(max=3000)],
        description="For example: restrictive practice themes, a bulletin, a debrief.",
    )
    minutes = TextAreaField(
        "Minutes", validators=[InputRequired("Add the minutes."), Length(max=20000)]
    )


class MinutesForm(FlaskForm):
    """Correcting or completing the minutes after the meeting (several people may)."""

    minutes = TextAreaField(
        "Minutes", validators=[InputRequired("Add the minutes."), Length(max=20000)]
    )


def _scale():
    return choices((value, label) for value, label in PULSE_SCALE.items())


class PulseForm(FlaskForm):
    safe_to_report = RadioField(
        PULSE_QUESTIONS["safe_to_report"],
        choices=_scale(),
        coerce=choice_id,
        validators=[InputRequired("Choose an answer.")],
    )
    hear_back = RadioField(
        PULSE_QUESTIONS["hear_back"],
        choices=_scale(),
        coerce=choice_id,
        validators=[InputRequired("Choose an answer.")],
    )
    talk_without_blame = RadioField(
        PULSE_QUESTIONS["talk_without_blame"],
        choices=_scale(),
        coerce=choice_id,
        validators=[InputRequired("Choose an answer.")],
    )


class YouSaidWeDidForm(FlaskForm):
    you_said = TextAreaField(
        "You said", validators=[InputRequired("Say what staff raised."), Length(max=2000)]
    )
    we_did = TextAreaField(
        "We did", validators=[InputRequired("Say what changed."), Length(max=2000)]
    )
    changed_on = DateField("When it changed", validators=[InputRequired("Enter a date.")])
