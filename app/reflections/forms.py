"""The reflection form: one text box per prompt of the chosen template."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.auth.forms import choices
from app.models import ReflectionTemplate
from app.reflections.schemas import ANSWER_MAX, WORKAROUND_MAX

SHARE_HINT = (
    "Off: only you can read this. On: your supervisor (and your manager) can read it, "
    "and it becomes something to talk about in your next supervision. You can change this later."
)


class ReflectionForm(FlaskForm):
    template = RadioField(
        "Which questions would you like?",
        choices=choices((t.value, t.label) for t in ReflectionTemplate),
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
    workaround = TextAreaField(
        "A workaround we use that isn't safe (optional)",
        validators=[Length(max=WORKAROUND_MAX)],
        description="Your manager sees only these words, not your name or your reflection, "
        "so the team can find a safer way.",
        render_kw={"rows": 3},
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
            TextAreaField(
                prompt.label,
                description=prompt.hint,
                validators=[Length(max=ANSWER_MAX)],
                render_kw={"rows": 4},
            ),
        )
    form = TemplateForm(**kwargs)
    form.template.data = template.value
    form.link.choices = choices([("", "Not linked"), *links])
    return form
