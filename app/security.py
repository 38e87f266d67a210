"""Security headers on every response, and what the service worker may keep.

The Content-Security-Policy allows nothing but our own origin and no inline code at all,
so templates never use inline <script>, <style>, style= or on*= attributes.

Offline copies. The service worker keeps a few pages for use without signal (the report,
reflection and observation forms, the library). It never keeps what a person was shown:
it asks for each page again with `X-LearnLoop-Offline-Copy: 1`, and for those pages the
server renders a copy with nothing about the person in it (no name, no notification
count, no CSRF token, no list of their reports or of staff; see each view). What a form
needs about the person comes from the session when it is sent.

Shared devices. Every signed-in response carries `LearnLoop-Sign-In`, a tag of the sign-in
session (an HMAC of its token hash: it opens nothing). The service worker keeps its copies
under the tag of the sign-in they were made for and drops them when a page arrives with
another tag or none (someone else signed in, or the session ended and the sign-in page
shows). Signing in and out also send `Clear-Site-Data: "cache"`, so the browser drops its
HTTP cache and back/forward pages too.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_login import current_user

from app.models.people import hash_token
from app.pwa.offline import OFFLINE_COPY_ENDPOINTS

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def add_security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Share pages send none at all (app/governance/share_public.py); every other page same-origin.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if offline_copy() and response.status_code == 200:
        # Made for the service worker, about nobody: it may keep it, no shared cache may.
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Vary"] = OFFLINE_COPY_HEADER
        response.headers[OFFLINE_COPY_HEADER] = "1"  # the service worker keeps nothing else
    elif _is_personal(response):
        response.headers["Cache-Control"] = "no-store"
    if tag := sign_in_tag():
        response.headers[SIGN_IN_HEADER] = tag
    if _signs_in_or_out(response):
        response.headers["Clear-Site-Data"] = '"cache"'
    return response


OFFLINE_COPY_HEADER = "X-LearnLoop-Offline-Copy"
SIGN_IN_HEADER = "LearnLoop-Sign-In"
SIGN_IN_OUT_ENDPOINTS = frozenset({"auth.login", "auth.two_step", "auth.logout"})


def offline_copy() -> bool:
    """Whether this request asks for the person-free copy of a page the device keeps."""
    return (
        request.method == "GET"
        and request.endpoint in OFFLINE_COPY_ENDPOINTS
        and request.headers.get(OFFLINE_COPY_HEADER) == "1"
    )


def sign_in_tag() -> str | None:
    """A tag of the current sign-in session for the service worker; None when signed out."""
    token = getattr(current_user, "sign_in_token", None) if current_user else None
    if not token or not current_user.is_authenticated:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    message = b"service-worker-tag:" + hash_token(token).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _signs_in_or_out(response) -> bool:
    """A sign-out, or a sign-in that worked (it answers with a redirect onwards)."""
    return (
        request.method == "POST"
        and request.endpoint in SIGN_IN_OUT_ENDPOINTS
        and 300 <= response.status_code < 400
    )


# Files and shells that hold nothing about the person (the offline app's own files).
PUBLIC_PATHS = ("/static/", "/sw.js", "/manifest.webmanifest", "/offline", "/outbox")


def _is_personal(response) -> bool:
    """Pages shown to a signed-in person may hold personal data: never store them."""
    if request.path.startswith(PUBLIC_PATHS) and not request.path.startswith("/outbox/"):
        return False
    return current_user.is_authenticated or response.mimetype == "application/json"


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.add_template_global(offline_copy, "offline_copy")
