"""Library forms. Labels and hints are the words managers and staff see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import Optional

from app.forms import CheckboxesField, IntegerField, choice_id, choices, enum_choices, text_field
from app.models import CARE_CERTIFICATE_STANDARDS, Topic

MAX_WORDS_HINT = "Short sentences and everyday words. Aim for under 600 words."
SUMMARY_TOO_LONG = "Keep the summary under 400 characters."


def topic_choices():
    return enum_choices(Topic)


def standard_choices():
    return choices((n, f"{n}. {label}") for n, label in CARE_CERTIFICATE_STANDARDS.items())


class ArticleForm(FlaskForm):
    title = text_field("Title", 160, required="Give it a title.")
    summary = text_field(
        "Summary",
        400,
        required="Write one or two sentences saying what it is about.",
        too_long=SUMMARY_TOO_LONG,
        rows=3,
        description="One or two sentences. It shows in the library list and in search.",
    )
    body = text_field(
        "Article",
        30000,
        required="Write the article.",
        too_long="This is too long for one article.",
        rows=16,
        description=MAX_WORDS_HINT + " Use ## for a heading, - for a list, **bold** for key words.",
    )
    topics = CheckboxesField("Topics", choices=topic_choices(), validators=[Optional()])
    standards = CheckboxesField(
        "Care Certificate standards it covers",
        choices=standard_choices(),
        coerce=choice_id,
        validators=[Optional()],
    )
    service_id = SelectField("Who is it for?")
    new_version = BooleanField(
        "This changes what staff need to know: ask everyone to read it again",
        default=True,
    )


class BulletinForm(FlaskForm):
    report = HiddenField()
    title = text_field("Title", 160, required="Give the bulletin a title.")
    summary = text_field(
        "Summary",
        400,
        required="Write one sentence on what staff should take from this.",
        too_long=SUMMARY_TOO_LONG,
        rows=2,
    )
    what_happened = text_field(
        "What happened",
        4000,
        required="Say what happened, without names.",
        rows=5,
        description="No names, initials, room numbers or dates that could identify anyone.",
    )
    what_we_learned = text_field(
        "What we learned",
        4000,
        required="Say what we learned.",
        rows=5,
        description="About the system and the work, not about who did what.",
    )
    what_changes = text_field(
        "What changes",
        4000,
        required="Say what changes now.",
        rows=5,
        description="What staff will do differently, from when.",
    )
    service_id = SelectField("Who is it for?")


class AcknowledgeForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
