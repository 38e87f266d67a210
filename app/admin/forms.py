"""Filters for the audit trail. Plain GET forms, so a filtered page can be bookmarked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import NumberRange, Optional

from app.forms import IntegerField, date_field


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: it changes nothing

    action = SelectField("What happened", validate_choice=False)
    person = SelectField("Who did it", validate_choice=False)
    service = SelectField("Service", validate_choice=False)
    since = date_field("From")
    until = date_field("To")
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)], default=1)
