"""Sign-in and people forms. Labels are the words staff see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.auth.passwords import HINT as PASSWORD_HINT
from app.auth.passwords import PASSWORD_MAX
from app.forms import choices as choices  # long imported from here by the areas' forms
from app.forms import enum_choices
from app.models import Role


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


def role_choices(roles=tuple(Role)) -> list[SelectChoice]:
    return enum_choices(Role, roles)


class TwoStepForm(FlaskForm):
    """The second step of signing in, for people who turned on two-step sign-in."""

    code = StringField(
        "Code from your authenticator app",
        validators=[InputRequired("Enter the 6-digit code from your app."), Length(max=20)],
        description="Or one of your recovery codes, if you do not have your phone.",
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Your current password",
        validators=[InputRequired("Enter your current password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[InputRequired("Choose a new password."), Length(max=PASSWORD_MAX)],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[InputRequired("Type the new password again.")],
        render_kw={"autocomplete": "new-password"},
    )


class TurnOnTwoStepForm(FlaskForm):
    code = StringField(
        "The 6-digit code your app shows now",
        validators=[InputRequired("Enter the 6-digit code from your app."), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class TurnOffTwoStepForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
