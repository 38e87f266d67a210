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
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import DateInput

from app.forms import (
    CheckboxesField,
    IntegerField,
    choice_id,
    date_field,
    enum_choices,
    text_field,
)
from app.models import Outcome
from app.supervision.schemas import ACTION_MAX, COMMENT_MAX, SUMMARY_MAX
from app.supervision.supervisions import (
    GOOD_ANSWER_MAX,
    NOTE_MAX,
    QUESTION_MAX,
    REFLECTIVE_PROMPTS,
)

ACTION_ROWS = 3


class ObserveStartForm(FlaskForm):
    staff_id = SelectField(
        "Who are you observing?",
        coerce=choice_id,
        validators=[InputRequired("Choose who you are observing.")],
    )
    template_id = SelectField(
        "Which checklist?", coerce=choice_id, validators=[InputRequired("Choose a checklist.")]
    )
    modules = CheckboxesField(
        "Add-on modules (medication only)",
        description="Tick the extra parts you will watch today, such as eye drops or inhalers.",
        validate_choice=False,
    )


class ObservationOutcomeForm(FlaskForm):
    """The end of an observation: outcome, development plan and when to observe again.

    It renders the boxes and checks the CSRF token, nothing more: the answers are checked by
    `ObservationBody` (app/supervision/schemas.py), as the offline API's are, so the boxes
    have no validators of their own, the dates are read as typed, and no box has a
    `maxlength` (a browser would cut a pasted text short without a word).
    """

    outcome = RadioField(
        "Outcome",
        choices=enum_choices(Outcome),
        validate_choice=False,
        description="If a critical item is not yet met, the outcome is not yet competent.",
    )
    summary = TextAreaField(
        "Summary (optional)",
        description="What went well, and what to work on, in a few kind words.",
        render_kw={"data-maxlength": SUMMARY_MAX},
    )
    reobserve_on = StringField(
        "Observe again on", widget=DateInput(), description="Needed when not yet competent."
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
            render_kw={"data-maxlength": ACTION_MAX},
        ),
    )
    setattr(
        ObservationOutcomeForm,
        f"action_{_n}_due",
        StringField(f"Action {_n} due by", widget=DateInput()),
    )


class CommentForm(FlaskForm):
    """The observed or supervised person's comment; the service refuses one over the limit."""

    comment = TextAreaField(
        "Your comment (optional)",
        description="Anything you want to add. Your supervisor will see it.",
        render_kw={"data-maxlength": COMMENT_MAX},
    )


class ItemForm(Form):
    text = text_field("What to observe", 300)
    guidance = text_field("Guidance for the observer", 2000, area=True)
    critical = BooleanField("Critical: if not met, the outcome is not yet competent")
    module = text_field("Add-on module (leave empty for the core checklist)", 80)


class ChecklistForm(FlaskForm):
    name = text_field("Checklist name", 120, required="Give the checklist a name.")
    description = text_field("What it covers (optional)", 2000, area=True)
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
    held_on = date_field("Date", required="Enter the date of the supervision.")


# The notes and actions have no maxlength: record_supervision() refuses text over the limit
# with a message beside its box, and the page keeps what was typed.
for _key, _prompt in REFLECTIVE_PROMPTS:
    setattr(
        SupervisionForm,
        f"note_{_key}",
        TextAreaField(_prompt, render_kw={"data-maxlength": NOTE_MAX}),
    )
for _n in range(1, ACTION_ROWS + 1):
    setattr(
        SupervisionForm,
        f"action_{_n}",
        StringField(f"Agreed action {_n}", render_kw={"data-maxlength": ACTION_MAX}),
    )
    setattr(SupervisionForm, f"action_{_n}_due", date_field(f"Action {_n} due by"))


class FrequencyForm(FlaskForm):
    every_weeks = IntegerField(
        "Supervision every (weeks)",
        validators=[
            InputRequired("Enter how often, in weeks."),
            NumberRange(1, 52, "Choose between 1 and 52 weeks."),
        ],
    )


class QuestionForm(FlaskForm):
    """A question for the bank; add_question() refuses text over its limit with a message."""

    text = StringField(
        "Question",
        validators=[InputRequired("Write the question.")],
        render_kw={"data-maxlength": QUESTION_MAX},
    )
    good_answer = TextAreaField(
        "What a confident answer covers (optional)",
        render_kw={"data-maxlength": GOOD_ANSWER_MAX},
    )
