"""Manager forms for a report: the review, feedback to the reporter, and actions.

The report form itself is plain HTML whose answers go straight to `submit_report`, so
the HTML form and the offline API share one validation.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from app.auth.forms import choices
from app.forms import text_field
from app.inputs import DateField
from app.models.reports import (
    CandourStep,
    CqcNotification,
    Factor,
    JustCultureOutcome,
    ReportStatus,
)
from app.reports.just_culture import ANSWERS, QUESTIONS, ROUTE_STEPS

CANDOUR_CHOICES = [
    ("no", "No"),
    ("yes", "Yes – it is a notifiable safety incident"),
    ("unsure", "Not sure yet"),
]
DEBRIEF_CHOICES = [("yes", "Yes"), ("no", "No")]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReviewForm(FlaskForm):
    """The manager's review. Its text boxes refuse text over the limit with a message beside
    the box and keep what was typed; they have no maxlength, which a browser would use to cut
    a pasted text short without a word (app/forms.py text_field), only a live count."""

    thanks = text_field(
        "Thank-you message",
        2000,
        area=True,
        description="Say thank you in your own words. They will see this.",
    )
    status = SelectField("Status", choices=choices((s.value, s.label) for s in ReportStatus))
    contributory_factors = CheckboxesField(
        "What in the work system played a part?",
        choices=choices((f.value, f.label) for f in Factor),
        validators=[Optional()],
    )
    learning_outcome = text_field(
        "What we learned",
        5000,
        area=True,
        description="The learning, not only the actions: what will we do differently, and why?"
        " The person who reported it sees this (by receipt when anonymous).",
    )
    debrief_needed = RadioField(
        "Is a team debrief needed?", choices=choices(DEBRIEF_CHOICES), validators=[Optional()]
    )
    candour_applies = RadioField(
        "Does the duty of candour apply?", choices=choices(CANDOUR_CHOICES), validators=[Optional()]
    )
    learning_disability_or_autism = RadioField(
        "Did the person have a learning disability, or were they autistic?",
        description="Asked for a death: LeDeR is notified as well as CQC.",
        choices=choices(DEBRIEF_CHOICES),
        validators=[Optional()],
    )
    safeguarding_referred_on = DateField(
        "Date referred to the local authority safeguarding team", validators=[Optional()]
    )
    just_culture_outcome = RadioField(
        "Just culture: where do the answers point?",
        choices=choices((o.value, o.label) for o in JustCultureOutcome),
        validators=[Optional()],
    )
    just_culture_note = text_field("Just-culture note", 2000, area=True)


for _step in CandourStep:
    setattr(
        ReviewForm, f"candour_{_step.value}_on", DateField(_step.label, validators=[Optional()])
    )
# One event can need several CQC notifications: each has its own tick and date sent.
for _kind in CqcNotification:
    setattr(ReviewForm, f"cqc_{_kind.value}", BooleanField(_kind.label))
    setattr(
        ReviewForm,
        f"cqc_{_kind.value}_sent_on",
        DateField(f"{_kind.label}: date sent", validators=[Optional()]),
    )
for _question in QUESTIONS:
    setattr(
        ReviewForm,
        f"jc_{_question.key}",
        RadioField(_question.text, choices=choices(ANSWERS), validators=[Optional()]),
    )
for _key, _label in ROUTE_STEPS:
    setattr(ReviewForm, f"jc_route_{_key}_on", DateField(_label, validators=[Optional()]))


class FeedbackForm(FlaskForm):
    thanks = TextAreaField(
        "Thank-you message",
        description="Say thank you in your own words. They will see this.",
        validators=[Length(max=2000)],
    )
    learning = TextAreaField(
        "What we learned and what is changing",
        description="Shared with the person who reported it (by receipt when anonymous).",
        validators=[Length(max=5000)],
    )


class ActionForm(FlaskForm):
    description = StringField(
        "What will change?", validators=[InputRequired("Say what will change."), Length(max=500)]
    )
    owner_id = SelectField("Who will do it?", choices=[], validators=[Optional()])
    owner_name = StringField(
        "Or someone outside LearnLoop",
        description="For example the pharmacy or the GP practice.",
        validators=[Optional(), Length(max=120)],
    )
    due_on = DateField("By when?", validators=[Optional()])


class ReceiptForm(FlaskForm):
    """A receipt code to look up. No CSRF token: the page checks the code without the session
    cookie (app/static/js/receipt.js), so looking at a reply cannot tie the code to whoever is
    signed in on the phone; a forged post changes nothing and its answer cannot be read."""

    class Meta:
        csrf = False

    code = StringField(
        "Your receipt code",
        description="The code you were given when you sent the report, like ABCD-EFGH-JKLM-NPQR.",
        validators=[InputRequired("Enter your receipt code."), Length(max=64)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
