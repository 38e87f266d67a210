"""Choosing a password from an emailed link: accepting an invitation, and asking for and
using a password reset link. `/reset` answers the same whether or not the address has an
account; a link is single-use, expires, and only its hash is stored."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import login_user

from app.audit import log_event
from app.auth import twofactor
from app.auth.passwords import PasswordError
from app.auth.sessions import start_session
from app.auth.views import ask_for_second_step
from app.extensions import db, limiter
from app.models import LinkPurpose, User
from app.notifications.accounts import request_reset, use_link, valid_link
from app.people import bp
from app.people.forms import ResetRequestForm, SetPasswordForm


def _sign_in(user: User) -> None:
    session.clear()
    start_session(user)
    login_user(user)
    log_event("auth.signed_in", user, actor=user, summary={"via": "link"})
    db.session.commit()


def _landing_page() -> str:
    if "induction.index" in current_app.view_functions:
        return url_for("induction.index")
    return url_for("home.index")


def _after_password_set(user: User, purpose: LinkPurpose):
    """Where a link leads once the password is set. A link from an email is one factor: it
    never signs in past two-step sign-in. A reset for someone with it on asks for the code
    next; an invitation to a role offered two-step sign-in (managers and admins, who see a
    whole service) leads straight into setting it up."""
    if user.two_step_on:
        second_step = ask_for_second_step(user)  # starts a fresh session: flash after it
        flash("Your new password is saved. Now enter the code from your app.", "success")
        return second_step
    _sign_in(user)
    if purpose is LinkPurpose.INVITATION:
        if twofactor.offered_to(user):
            flash(
                f"Welcome to LearnLoop, {user.name}. Your role sees a whole service's records, "
                "so protect it now: set up two-step sign-in with an authenticator app.",
                "success",
            )
            return redirect(url_for("auth.two_step_setup"))
        flash(f"Welcome to LearnLoop, {user.name}. You are signed in.", "success")
        return redirect(_landing_page())
    flash("Your new password is saved and you are signed in.", "success")
    return redirect(url_for("home.index"))


def _set_password_page(token: str, purpose: LinkPurpose, template: str):
    link = valid_link(token, purpose)
    if link is None:
        return render_template("people/link_expired.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = use_link(link, form.password.data)
        except PasswordError as error:
            form.password.errors.append(str(error))
            return render_template(template, form=form, person=link.user)
        except ValueError:
            return render_template("people/link_expired.html", purpose=purpose), 410
        return _after_password_set(user, purpose)
    return render_template(template, form=form, person=link.user)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(token, LinkPurpose.INVITATION, "people/welcome.html")


def _reset_limit() -> str:
    return current_app.config["RESET_REQUESTS_PER_ADDRESS"]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"], scope="reset-address")
def reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        return render_template("people/reset_sent.html")
    return render_template("people/reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    return _set_password_page(token, LinkPurpose.PASSWORD_RESET, "people/reset_choose.html")
