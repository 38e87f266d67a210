"""Security headers on every response.

The Content-Security-Policy allows nothing but our own origin and no inline code at all,
so templates never use inline <script>, <style>, style= or on*= attributes.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

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
    if _is_personal(response):
        response.headers["Cache-Control"] = "no-store"
    return response


# Files and shells that hold nothing about the person (the offline app's own files).
PUBLIC_PATHS = ("/static/", "/sw.js", "/manifest.webmanifest", "/offline", "/outbox")


def _is_personal(response) -> bool:
    """Pages shown to a signed-in person may hold personal data: never store them."""
    if request.path.startswith(PUBLIC_PATHS) and not request.path.startswith("/outbox/"):
        return False
    return current_user.is_authenticated or response.mimetype == "application/json"


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
