"""The reflection form: one text box per prompt of the chosen template."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField
from wtforms.validators import Optional, ValidationError

from app.forms import choices, enum_choices, text_field
from app.models import ReflectionTemplate
from app.reflections.schemas import ANSWER_MAX, WORKAROUND_MAX

ANSWER_TOO_LONG = f"Keep each answer under {ANSWER_MAX} characters."
SHARE_HINT = (
    "Off: only you can read this. On: your supervisor (and your manager) can read it, "
    "and it becomes something to talk about in your next supervision. You can change this later."
)


class ReflectionForm(FlaskForm):
    template = RadioField(
        "Which questions would you like?",
        choices=enum_choices(ReflectionTemplate),
        default=ReflectionTemplate.HELPED_HINDERED.value,
    )
    link = SelectField(
        "Is this about a report or a debrief? (optional)",
        validators=[Optional()],
        validate_choice=False,  # checked below, with a kinder message
        description="Only your own reports and debriefs you took part in are listed.",
    )

    def validate_link(self, field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError("Choose one of your own reports or debriefs from the list.")

    shared = BooleanField("Share with my supervisor", description=SHARE_HINT)
    workaround = text_field(
        "A workaround we use that isn't safe (optional)",
        WORKAROUND_MAX,
        rows=3,
        description="Your manager sees only these words, not your name or your reflection, "
        "so the team can find a safer way.",
    )
    client_id = HiddenField()

    @property
    def prompt_fields(self):
        return [self[p.key] for p in ReflectionTemplate(self.template.data).prompts]


def reflection_form(template: ReflectionTemplate, links: list[tuple[str, str]], **kwargs):
    """A form with a text box for each of `template`'s prompts."""

    class TemplateForm(ReflectionForm):
        pass

    for prompt in template.prompts:
        setattr(
            TemplateForm,
            prompt.key,
            text_field(
                prompt.label,
                ANSWER_MAX,
                rows=4,
                too_long=ANSWER_TOO_LONG,  # as ReflectionBody says it to the offline API
                description=prompt.hint,
            ),
        )
    form = TemplateForm(**kwargs)
    form.template.data = template.value
    form.link.choices = choices([("", "Not linked"), *links])
    return form
