"""My account: everyone can change their own password; managers and admins can turn on
two-step sign-in. Each person sees and changes only their own account here."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from app.auth import bp, twofactor
from app.auth.forms import ChangePasswordForm, TurnOffTwoStepForm, TurnOnTwoStepForm
from app.auth.services import PasswordChangeError, change_own_password

_SETUP_KEY = "two_step_setup"


@bp.get("/account")
@login_required
def account():
    return render_template(
        "auth/account.html",
        offered=twofactor.offered_to(current_user),
        codes_left=twofactor.recovery_codes_left(current_user) if current_user.two_step_on else 0,
        turn_off=TurnOffTwoStepForm(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                again=form.confirm_password.data,
            )
        except PasswordChangeError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash(
                "Your password is changed. You stay signed in here; other devices are signed out.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def two_step_setup():
    if not twofactor.offered_to(current_user):
        abort(403)
    if current_user.two_step_on:
        return redirect(url_for("auth.account"))
    secret = _secret_being_set_up()
    form = TurnOnTwoStepForm()
    if form.validate_on_submit():
        codes = twofactor.enable(current_user, secret, form.code.data)
        if codes:
            session.pop(_SETUP_KEY, None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(
            "That code did not match. Check the time on your phone and try again."
        )
    uri = twofactor.provisioning_uri(current_user, secret)
    return render_template(
        "auth/two_step_setup.html", form=form, secret=secret, qr=twofactor.qr_svg(uri)
    )


def _secret_being_set_up() -> str:
    """The secret shown on the set-up page, the same on every visit until it is confirmed.

    It waits in the session cookie, which Flask signs but does not encrypt, so it is kept
    there sealed like the stored one: the cookie alone does not give the secret away.
    """
    sealed = session.get(_SETUP_KEY)
    if sealed:
        try:
            return twofactor.open_secret(sealed)
        except twofactor.SecretUnreadable:
            pass  # sealed with a key since removed: start again with a new secret
    secret = twofactor.new_secret()
    session[_SETUP_KEY] = twofactor.seal_secret(secret)
    return secret


@bp.post("/account/two-step/off")
@login_required
def two_step_off():
    form = TurnOffTwoStepForm()
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        twofactor.disable(current_user)
        flash("Two-step sign-in is off. You can turn it on again at any time.", "success")
    else:
        flash("That password did not match, so two-step sign-in is still on.", "error")
    return redirect(url_for("auth.account"))
