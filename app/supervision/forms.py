"""Forms for checklists, observations and supervision. Labels are the words staff see.

The checklist items on an observation and the escalation questions in a supervision vary by
record, so their inputs are written in the templates and read in views.py.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.forms import choices
from app.inputs import DateField, IntegerField, choice_id
from app.models import Outcome
from app.supervision.supervisions import REFLECTIVE_PROMPTS

ACTION_ROWS = 3


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ObserveStartForm(FlaskForm):
    staff_id = SelectField(
        "Who are you observing?",
        coerce=choice_id,
        validators=[InputRequired("Choose who you are observing.")],
    )
    template_id = SelectField(
        "Which checklist?", coerce=choice_id, validators=[InputRequired("Choose a checklist.")]
    )
    modules = MultiCheckboxField(
        "Add-on modules (medication only)",
        description="Tick the extra parts you will watch today, such as eye drops or inhalers.",
        validate_choice=False,
    )


class ObservationOutcomeForm(FlaskForm):
    """The end of an observation: outcome, development plan and when to observe again."""

    outcome = RadioField(
        "Outcome",
        choices=choices((o.value, o.label) for o in Outcome),
        validators=[Optional()],
        description="If a critical item is not yet met, the outcome is not yet competent.",
    )
    summary = TextAreaField(
        "Summary (optional)",
        description="What went well, and what to work on, in a few kind words.",
        validators=[Length(max=4000)],
    )
    reobserve_on = DateField(
        "Observe again on",
        validators=[Optional()],
        description="Needed when not yet competent.",
    )


for _n in range(1, ACTION_ROWS + 1):
    setattr(
        ObservationOutcomeForm,
        f"action_{_n}",
        StringField(
            f"Development action {_n}",
            description="Targeted support, e.g. “Shadow Tom on the 8am round twice”."
            if _n == 1
            else None,
            validators=[Length(max=500)],
        ),
    )
    setattr(
        ObservationOutcomeForm,
        f"action_{_n}_due",
        DateField(f"Action {_n} due by", validators=[Optional()]),
    )


class CommentForm(FlaskForm):
    comment = TextAreaField(
        "Your comment (optional)",
        description="Anything you want to add. Your supervisor will see it.",
        validators=[Length(max=2000)],
    )


class ItemForm(Form):
    text = StringField("What to observe", validators=[Length(max=300)])
    guidance = TextAreaField("Guidance for the observer", validators=[Length(max=2000)])
    critical = BooleanField("Critical: if not met, the outcome is not yet competent")
    module = StringField(
        "Add-on module (leave empty for the core checklist)", validators=[Length(max=80)]
    )


class ChecklistForm(FlaskForm):
    name = StringField(
        "Checklist name", validators=[InputRequired("Give the checklist a name."), Length(max=120)]
    )
    description = TextAreaField("What it covers (optional)", validators=[Length(max=2000)])
    renewal_months = IntegerField(
        "Renew every (months)",
        validators=[
            InputRequired("Enter how often to observe again, in months."),
            NumberRange(1, 60, "Choose between 1 and 60 months."),
        ],
    )
    recheck_after_medication_report = BooleanField(
        "Suggest observing sooner after a medication report (NICE SC1)"
    )
    items = FieldList(FormField(ItemForm), min_entries=1)


class SupervisionStartForm(FlaskForm):
    supervisee_id = SelectField("Who is the supervision with?", coerce=choice_id)


class SupervisionForm(FlaskForm):
    held_on = DateField("Date", validators=[InputRequired("Enter the date of the supervision.")])


for _key, _prompt in REFLECTIVE_PROMPTS:
    setattr(SupervisionForm, f"note_{_key}", TextAreaField(_prompt, validators=[Length(max=4000)]))
for _n in range(1, ACTION_ROWS + 1):
    setattr(
        SupervisionForm,
        f"action_{_n}",
        StringField(f"Agreed action {_n}", validators=[Length(max=500)]),
    )
    setattr(
        SupervisionForm,
        f"action_{_n}_due",
        DateField(f"Action {_n} due by", validators=[Optional()]),
    )


class FrequencyForm(FlaskForm):
    every_weeks = IntegerField(
        "Supervision every (weeks)",
        validators=[
            InputRequired("Enter how often, in weeks."),
            NumberRange(1, 52, "Choose between 1 and 52 weeks."),
        ],
    )


class QuestionForm(FlaskForm):
    text = StringField(
        "Question", validators=[InputRequired("Write the question."), Length(max=300)]
    )
    good_answer = TextAreaField(
        "What a confident answer covers (optional)", validators=[Length(max=2000)]
    )
