"""Sign in and out. Only failed attempts count toward throttling, per account and per address,
so a shared tablet signing in a whole shift from one address is never blocked. A browser that
has signed in to an account before (a known device, app/auth/devices.py) is exempt from the
per-address limit for that account and has its own count of failures for it."""

from __future__ import annotations

import time

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.audit import log_event
from app.auth import bp, devices, passwords, twofactor
from app.auth.forms import SignInForm, TwoStepForm
from app.auth.redirects import safe_path
from app.auth.sessions import end_session, load_session_user, start_session
from app.extensions import db, limiter, login_manager
from app.models import User

SIGN_IN_FAILED = "That email and password do not match an active account. Please try again."
CODES_UNCHECKABLE = (
    "Codes from your authenticator app cannot be checked on this server at the moment. "
    "Use one of your recovery codes, or ask your provider's administrator for help."
)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return load_session_user(token)


def _sign_in_failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _typed_email() -> str:
    return request.form.get("email", "").strip().lower()


def _account_key() -> str:
    """Failures per account, counted apart for each known device and for all unknown ones."""
    email = _typed_email()
    device = devices.known_device(email)
    return f"sign-in:{email}" + (f":device:{device}" if device else "")


def _from_known_device() -> bool:
    """The per-address limit does not apply to a known device signing in to its account."""
    if request.endpoint == "auth.two_step":
        return bool((session.get(_PENDING) or {}).get("known_device"))
    return devices.known_device(_typed_email()) is not None


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site (see app/auth/redirects.py)."""
    return safe_path(target) or url_for("home.index")


def _limits():
    return (
        limiter.limit(
            lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
            methods=["POST"],
            deduct_when=_sign_in_failed,
            exempt_when=_from_known_device,
            scope="sign-in-address",
        ),
        limiter.limit(
            lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
            key_func=_account_key,
            methods=["POST"],
            deduct_when=_sign_in_failed,
            scope="sign-in-account",
        ),
    )


_per_address, _per_account = _limits()


@bp.route("/login", methods=["GET", "POST"])
@_per_address
@_per_account
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = db.session.scalars(
            select(User).where(User.email == form.email.data.strip().lower())
        ).first()
        # One argon2 check whatever the email (see passwords.matches), then the rest.
        if passwords.matches(user, form.password.data) and user.active:
            if user.two_step_on:
                db.session.commit()  # keeps a rehashed password
                return ask_for_second_step(user, remember=bool(form.remember.data))
            return _complete_sign_in(user, remember=form.remember.data)
        g.sign_in_failed = True
        if user is not None:
            log_event("auth.sign_in_failed", user, actor=None)
            db.session.commit()
        flash(SIGN_IN_FAILED, "error")
    elif request.method == "POST":
        g.sign_in_failed = True
    return render_template("auth/login.html", form=form)


def _complete_sign_in(user: User, *, remember: bool, how: str = "password"):
    session.clear()  # a fresh session at every sign-in
    start_session(user)
    login_user(user, remember=remember)
    log_event("auth.signed_in", user, actor=user, summary={"with": how})
    db.session.commit()  # also keeps a rehashed password if argon2 parameters changed
    return devices.remember(redirect(_safe_next(request.args.get("next"))), user.email)


# The second step must follow the first within this many seconds.
_PENDING = "two_step_pending"
_PENDING_SECONDS = 300


def ask_for_second_step(user: User, *, remember: bool = False):
    """The first step is done (a password, or a password set from a reset link): ask for the
    code before anything else. Nobody with two-step sign-in is signed in without it."""
    session.clear()
    session[_PENDING] = {
        "user": user.id,
        "at": time.time(),
        "remember": remember,
        "known_device": devices.known_device(user.email) is not None,
    }
    return redirect(url_for("auth.two_step", next=safe_path(request.args.get("next"))))


def _pending_user() -> User | None:
    pending = session.get(_PENDING)
    if not pending or time.time() - pending.get("at", 0) > _PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user and user.active and user.two_step_on else None


def _pending_key() -> str:
    pending = session.get(_PENDING) or {}
    return f"two-step:{pending.get('user')}"


_two_step_per_account = limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=_sign_in_failed,
    scope="two-step-account",
)


@bp.route("/login/two-step", methods=["GET", "POST"])
@_per_address
@_two_step_per_account
def two_step():
    """Second step for people with two-step sign-in: a code from their app or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(_PENDING, None)
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = TwoStepForm()
    if form.validate_on_submit():
        try:
            how = twofactor.verify(user, form.code.data)
        except twofactor.SecretUnreadable:
            return _secret_unreadable(user, form)
        if how:
            remember = session[_PENDING].get("remember", False)
            return _complete_sign_in(user, remember=remember, how=how)
        _two_step_failed(user, "auth.two_step_failed")
        form.code.errors.append("That code did not work. Codes change every 30 seconds.")
    elif request.method == "POST":
        g.sign_in_failed = True
    return render_template("auth/two_step.html", form=form)


def _two_step_failed(user: User, action: str) -> None:
    """Count the failure toward throttling and audit it (nothing else from the attempt kept)."""
    db.session.rollback()
    g.sign_in_failed = True
    log_event(action, user, actor=None)
    db.session.commit()


def _secret_unreadable(user: User, form: TwoStepForm):
    """No configured key opens this person's secret (a database copied to another server, or
    a key dropped too soon): refuse, say what still works, and tell the operator."""
    _two_step_failed(user, "auth.two_step_secret_unreadable")
    current_app.logger.error(
        "Two-step secret of user %s opens with no key in TOTP_ENCRYPTION_KEY", user.id
    )
    form.code.errors.append(CODES_UNCHECKABLE)
    return render_template("auth/two_step.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    log_event("auth.signed_out", current_user)
    if current_user.sign_in_token:
        end_session(current_user.sign_in_token)  # commits the audit entry too
    logout_user()
    session.clear()
    flash("You have signed out. Thank you for today.", "success")
    return redirect(url_for("auth.login"))
