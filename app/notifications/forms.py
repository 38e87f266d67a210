"""Forms for email choices."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ChoicesForm(FlaskForm):
    """Email choices: the checkboxes are drawn from the topics a person may choose."""
