"""Library forms. Labels and hints are the words managers and staff see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.forms import choices
from app.inputs import IntegerField, choice_id
from app.models import CARE_CERTIFICATE_STANDARDS, Topic

MAX_WORDS_HINT = "Short sentences and everyday words. Aim for under 600 words."


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def topic_choices():
    return choices((t.value, t.label) for t in Topic)


def standard_choices():
    return choices((n, f"{n}. {label}") for n, label in CARE_CERTIFICATE_STANDARDS.items())


class ArticleForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Give it a title."), Length(max=160)])
    summary = TextAreaField(
        "Summary",
        validators=[
            InputRequired("Write one or two sentences saying what it is about."),
            Length(max=400, message="Keep the summary under 400 characters."),
        ],
        description="One or two sentences. It shows in the library list and in search.",
        render_kw={"rows": 3},
    )
    body = TextAreaField(
        "Article",
        validators=[
            InputRequired("Write the article."),
            Length(max=30000, message="This is too long for one article."),
        ],
        description=MAX_WORDS_HINT + " Use ## for a heading, - for a list, **bold** for key words.",
        render_kw={"rows": 16},
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
    title = StringField(
        "Title", validators=[InputRequired("Give the bulletin a title."), Length(max=160)]
    )
    summary = TextAreaField(
        "Summary",
        validators=[
            InputRequired("Write one sentence on what staff should take from this."),
            Length(max=400, message="Keep the summary under 400 characters."),
        ],
        render_kw={"rows": 2},
    )
    what_happened = TextAreaField(
        "What happened",
        validators=[InputRequired("Say what happened, without names."), Length(max=4000)],
        description="No names, initials, room numbers or dates that could identify anyone.",
        render_kw={"rows": 5},
    )
    what_we_learned = TextAreaField(
        "What we learned",
        validators=[InputRequired("Say what we learned."), Length(max=4000)],
        description="About the system and the work, not about who did what.",
        render_kw={"rows": 5},
    )
    what_changes = TextAreaField(
        "What changes",
        validators=[InputRequired("Say what changes now."), Length(max=4000)],
        description="What staff will do differently, from when.",
        render_kw={"rows": 5},
    )
    service_id = SelectField("Who is it for?")


class AcknowledgeForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
