"""Forms for meetings, the pulse and the board."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired, Optional

from app.forms import CheckboxesField, choice_id, choices, date_field, enum_choices, text_field
from app.governance.services import PULSE_QUESTIONS, PULSE_SCALE
from app.models import MeetingKind


class MeetingForm(FlaskForm):
    kind = SelectField("Kind of meeting", choices=enum_choices(MeetingKind))
    held_on = date_field("Date", required="Enter the date of the meeting.")
    title = text_field("Title", 200, required="Give the meeting a short title.")
    attendees = CheckboxesField("Who came", coerce=choice_id, validators=[Optional()])
    reports = CheckboxesField(
        "Learning from reports discussed",
        coerce=choice_id,
        validators=[Optional()],
        description="Reports whose learning was shared in the last three months.",
    )
    themes = text_field(
        "Other learning or themes discussed (one per line)",
        3000,
        area=True,
        description="For example: restrictive practice themes, a bulletin, a debrief.",
    )
    minutes = text_field("Minutes", 20000, required="Add the minutes.", area=True)


class MinutesForm(FlaskForm):
    """Correcting or completing the minutes after the meeting (several people may)."""

    minutes = text_field("Minutes", 20000, required="Add the minutes.", area=True)


def _scale():
    return choices(PULSE_SCALE.items())


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
    you_said = text_field("You said", 2000, required="Say what staff raised.", area=True)
    we_did = text_field("We did", 2000, required="Say what changed.", area=True)
    changed_on = date_field("When it changed", required="Enter a date.")
