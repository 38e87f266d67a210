"""Forms for people admin: adding someone, their role, invitations, a CSV of people, and
choosing a password from an emailed link (invitation or reset)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from app.auth.forms import role_choices
from app.auth.passwords import HINT as PASSWORD_HINT
from app.auth.passwords import PASSWORD_MAX, PASSWORD_MIN
from app.forms import choice_id, date_field, text_field

NAME_MAX = 120
STARTED_ON_HINT = "New starters see the induction reading list."


class PersonForm(FlaskForm):
    """Add someone to a service with a first password the manager gives them (InviteForm
    emails them a link to choose their own instead)."""

    name = text_field(
        "Name", NAME_MAX, required="Enter their name.", render_kw={"autocomplete": "off"}
    )
    email = EmailField(
        "Email address",
        validators=[
            InputRequired("Enter their email address."),
            Email("Enter an email address like name@example.org."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    role = SelectField("Role", choices=role_choices())
    service_id = SelectField("Service", coerce=choice_id)
    started_on = date_field("Start date (for new starters)", description=STARTED_ON_HINT)
    password = PasswordField(
        "First password",
        validators=[
            InputRequired("Choose a first password."),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Use at least {PASSWORD_MIN} characters.",
            ),
        ],
        description=PASSWORD_HINT + " They can change it later.",
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=role_choices())


class InviteForm(FlaskForm):
    """Invite someone: they get an email and choose their own password."""

    name = text_field(
        "Name", NAME_MAX, required="Enter their name.", render_kw={"autocomplete": "off"}
    )
    email = EmailField(
        "Email address",
        validators=[
            InputRequired("Enter their email address."),
            Email("Enter an email address like name@example.org."),
            Length(max=254),
        ],
        description="We email them a link to choose their own password.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    role = SelectField("Role", choices=role_choices())
    service_id = SelectField("Service", coerce=choice_id)
    started_on = date_field("Start date (for new starters)", description=STARTED_ON_HINT)


class ImportForm(FlaskForm):
    service_id = SelectField("Service", coerce=choice_id)
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv", "txt"], "Choose a file saved as CSV (.csv)."),
        ],
        description="Columns: name, email, role, start date. Save a spreadsheet as CSV.",
        render_kw={"accept": ".csv,text/csv"},
    )


class ConfirmImportForm(FlaskForm):
    service_id = HiddenField()
    content = HiddenField()


class SetPasswordForm(FlaskForm):
    """Choose a password. The form checks length; `use_link` applies the full rules in
    app/auth/passwords.py (common and guessable passwords refused), as people admin does."""

    password = PasswordField(
        "New password",
        validators=[
            InputRequired("Choose a password."),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Use at least {PASSWORD_MIN} characters.",
            ),
        ],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "The same password again",
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", "The two passwords are different. Please type them again."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
