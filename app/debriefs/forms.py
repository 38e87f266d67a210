"""Debrief and workaround forms. Labels are the words staff see.

The text boxes have no length validator: a WTForms `Length` would render a `maxlength`, and a
browser cuts a pasted text short without a word. The services refuse text over the limit
with a message beside its box (the page keeps what was typed); `data-maxlength` gives the
live count (app/static/js/char-count.js).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from app.debriefs.services import ACTION_MAX, NOTE_MAX, SUMMARY_MAX, TEXT_MAX
from app.forms import CheckboxesField, choice_id, choices, date_field, enum_choices
from app.models import DebriefFormat, WorkaroundStatus
from app.models.base import uk_today


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class DebriefForm(FlaskForm):
    format = RadioField(
        "Kind of debrief",
        choices=enum_choices(DebriefFormat),
        default=DebriefFormat.STRUCTURED.value,
    )
    held_on = date_field("Date", required="Enter the date of the debrief.")
    facilitator_id = SelectField("Who is leading it", coerce=choice_id)
    report_ids = CheckboxesField(
        "Reports this debrief is about",
        coerce=choice_id,
        invalid_message="Choose reports from this service.",
    )
    attendee_ids = CheckboxesField(
        "Who is taking part", coerce=choice_id, invalid_message="Choose people from this service."
    )
    person_offered = BooleanField("The person we support was offered a debrief")
    family_offered = BooleanField("Their family was offered a debrief")

    def set_defaults(self, facilitator_id: int) -> None:
        self.held_on.data = uk_today()
        self.facilitator_id.data = facilitator_id
        self.format.data = DebriefFormat.STRUCTURED.value


class ContributionForm(FlaskForm):
    text = TextAreaField(
        "Add a point",
        validators=[InputRequired("Write a few words first.")],
        render_kw={"rows": 2, "data-maxlength": TEXT_MAX},
    )
    unsafe_workaround = BooleanField("This is a workaround we use that isn't safe")


class ActionForm(FlaskForm):
    description = StringField(
        "What will change",
        validators=[InputRequired("Say what will change.")],
        render_kw={"data-maxlength": ACTION_MAX},
    )
    owner_id = SelectField("Who will do it", coerce=_optional_int, validators=[Optional()])
    due_on = date_field("By when (optional)")


class CloseForm(FlaskForm):
    learning_summary = TextAreaField(
        "What we learned",
        validators=[InputRequired("Write what the team learned before closing.")],
        description="A few lines the whole team can read. This closes the debrief.",
        render_kw={"data-maxlength": SUMMARY_MAX},
    )


class WorkaroundForm(FlaskForm):
    status = RadioField(
        "Where this is up to",
        choices=choices(
            (s.value, s.label) for s in (WorkaroundStatus.DISCUSSED, WorkaroundStatus.RESOLVED)
        ),
        validators=[InputRequired("Choose discussed or resolved.")],
    )
    note = TextAreaField(
        "What was said, or what changed",
        description="Needed when you mark it resolved.",
        render_kw={"rows": 2, "data-maxlength": NOTE_MAX},
    )
