"""Manager forms for a report: the review, feedback to the reporter, and actions.

The report form itself is plain HTML whose answers go to `submit_report`, which checks them
with `ReportBody` (app/reports/schemas.py), the schema the offline API's `ReportIn` extends:
one set of rules for the form and the outbox.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import Optional

from app.forms import CheckboxesField, choices, date_field, enum_choices, text_field
from app.models.reports import (
    CandourStep,
    CqcNotification,
    Factor,
    JustCultureOutcome,
    ReportStatus,
)
from app.reports.just_culture import ANSWERS, QUESTIONS, ROUTE_STEPS
from app.reports.schemas import DESCRIPTION_MAX, TEXT_MAX

CANDOUR_CHOICES = [
    ("no", "No"),
    ("yes", "Yes – it is a notifiable safety incident"),
    ("unsure", "Not sure yet"),
]
DEBRIEF_CHOICES = [("yes", "Yes"), ("no", "No")]


class ReviewForm(FlaskForm):
    """The manager's review. Its text boxes refuse text over the limit with a message beside
    the box and keep what was typed; they have no maxlength, which a browser would use to cut
    a pasted text short without a word (app/forms.py text_field), only a live count."""

    thanks = text_field(
        "Thank-you message",
        TEXT_MAX,
        area=True,
        description="Say thank you in your own words. They will see this.",
    )
    status = SelectField("Status", choices=enum_choices(ReportStatus))
    contributory_factors = CheckboxesField(
        "What in the work system played a part?",
        choices=enum_choices(Factor),
        validators=[Optional()],
    )
    learning_outcome = text_field(
        "What we learned",
        DESCRIPTION_MAX,
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
    safeguarding_referred_on = date_field("Date referred to the local authority safeguarding team")
    just_culture_outcome = RadioField(
        "Just culture: where do the answers point?",
        choices=enum_choices(JustCultureOutcome),
        validators=[Optional()],
    )
    just_culture_note = text_field("Just-culture note", TEXT_MAX, area=True)


for _step in CandourStep:
    setattr(ReviewForm, f"candour_{_step.value}_on", date_field(_step.label))
# One event can need several CQC notifications: each has its own tick and date sent.
for _kind in CqcNotification:
    setattr(ReviewForm, f"cqc_{_kind.value}", BooleanField(_kind.label))
    setattr(ReviewForm, f"cqc_{_kind.value}_sent_on", date_field(f"{_kind.label}: date sent"))
for _question in QUESTIONS:
    setattr(
        ReviewForm,
        f"jc_{_question.key}",
        RadioField(_question.text, choices=choices(ANSWERS), validators=[Optional()]),
    )
for _key, _label in ROUTE_STEPS:
    setattr(ReviewForm, f"jc_route_{_key}_on", date_field(_label))


class FeedbackForm(FlaskForm):
    thanks = text_field(
        "Thank-you message",
        TEXT_MAX,
        area=True,
        description="Say thank you in your own words. They will see this.",
    )
    learning = text_field(
        "What we learned and what is changing",
        DESCRIPTION_MAX,
        area=True,
        description="Shared with the person who reported it (by receipt when anonymous).",
    )


class ActionForm(FlaskForm):
    description = text_field("What will change?", 500, required="Say what will change.")
    owner_id = SelectField("Who will do it?", choices=[], validators=[Optional()])
    owner_name = text_field(
        "Or someone outside LearnLoop",
        120,
        description="For example the pharmacy or the GP practice.",
    )
    due_on = date_field("By when?")


class ReceiptForm(FlaskForm):
    """A receipt code to look up. No CSRF token: the page checks the code without the session
    cookie (app/static/js/receipt.js), so looking at a reply cannot tie the code to whoever is
    signed in on the phone; a forged post changes nothing and its answer cannot be read."""

    class Meta:
        csrf = False

    code = text_field(
        "Your receipt code",
        64,
        required="Enter your receipt code.",
        description="The code you were given when you sent the report, like ABCD-EFGH-JKLM-NPQR.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
