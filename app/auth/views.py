"""Sign in and out. Only failed attempts count toward throttling, per account and per address,
so a shared tablet signing in a whole shift from one address is never blocked."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.audit import log_event
from app.auth import bp
from app.auth.forms import SignInForm
from app.auth.sessions import end_session, load_session_user, start_session
from app.extensions import db, limiter, login_manager
from app.models import User

SIGN_IN_FAILED = "That email and password do not match an active account. Please try again."


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return load_session_user(token)


def _sign_in_failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _account_key() -> str:
    return "sign-in:" + request.form.get("email", "").strip().lower()


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


def _limits():
    return (
        limiter.limit(
            lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
            methods=["POST"],
            deduct_when=_sign_in_failed,
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
        if user and user.active and user.check_password(form.password.data):
            session.clear()  # a fresh session at every sign-in
            start_session(user)
            login_user(user, remember=form.remember.data)
            log_event("auth.signed_in", user, actor=user)
            db.session.commit()  # also keeps a rehashed password if argon2 parameters changed
            return redirect(_safe_next(request.args.get("next")))
        g.sign_in_failed = True
        if user is not None:
            log_event("auth.sign_in_failed", user, actor=None)
            db.session.commit()
        flash(SIGN_IN_FAILED, "error")
    elif request.method == "POST":
        g.sign_in_failed = True
    return render_template("auth/login.html", form=form)


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
