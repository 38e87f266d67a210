"""Friendly error pages: no stack traces, and a refused form is never offered again.

A failed CSRF check means the form did not come, or cannot be shown to have come, from the
person's own page here: it may be another site posting in their name. So the posted values are
never shown back or re-offered (a "send again" button would hand an attacker a fresh token and
turn the attack into one click). The person goes back to the page they were on, when that page
is on this site, with a plain message; anything else gets a plain page with no form.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.auth.redirects import same_origin_referrer
from app.extensions import db, limiter
from app.validation import Invalid

CSRF_REFUSED = (
    "For your safety we did not save that: the page had been open a long time, or the form "
    "did not come from LearnLoop. Please check the page and try again."
)

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    403: ("You do not have access to this page", "If you think you should, ask your manager."),
    404: ("We cannot find that page", "It may have moved, or the link may be wrong."),
    405: ("That did not work", "Please go back and try again."),
    413: ("That was too large to send", "Please send something smaller."),
    500: (
        "Sorry, something went wrong on our side",
        "Nothing you did caused this. Please try again in a minute.",
    ),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _http_error(error: HTTPException):
    code = error.code or 500
    title, hint = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    if _wants_json():
        return jsonify(error=title), code
    return render_template("errors/error.html", code=code, title=title, hint=hint), code


def _too_many(_error):
    """Sign-in throttled: say how long to wait, without saying whether the account exists."""
    limit = limiter.current_limit
    wait = max(1, math.ceil((limit.reset_at - time.time()) / 60)) if limit else 15
    if _wants_json():
        return jsonify(error="Too many attempts", retry_after_minutes=wait), 429
    return render_template("errors/too_many.html", minutes=wait), 429


def _csrf_failed(_error: CSRFError):
    """Back to the page the form was on (same site only), never the posted values again."""
    if _wants_json():
        return jsonify(error="Your session has expired. Please sign in again."), 400
    back = same_origin_referrer()
    if back and request.method == "POST" and not request.headers.get("HX-Request"):
        flash(CSRF_REFUSED, "csrf-refused")  # kept-typing.js restores on this mark
        return redirect(back, code=303)
    page = render_template("errors/csrf.html", back=back)
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        # A post from another site arrives without our cookies: answering with a new session
        # cookie would replace the person's own and sign them out. Send none back.
        session.clear()
        session.modified = False
    return page, 400


def _invalid(error: Invalid):
    """An answer a service refused (app/validation.py) that the view did not show beside its
    field: a 400 page saying what to fix, with the way back. Nothing of it was saved. The API
    answers the same refusals as JSON (app/api/views.py)."""
    db.session.rollback()
    messages = [m for field_messages in error.errors.values() for m in field_messages]
    if _wants_json():
        return jsonify(error="Some answers need checking.", errors=error.errors), 400
    page = render_template("errors/invalid.html", messages=messages, back=same_origin_referrer())
    return page, 400


def _server_error(_error):
    """Unhandled exceptions: log them (Flask does) and show a calm page, never a traceback."""
    title, hint = MESSAGES[500]
    if _wants_json():
        return jsonify(error=title), 500
    return render_template("errors/error.html", code=500, title=title, hint=hint), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(Invalid, _invalid)
    app.register_error_handler(429, _too_many)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
