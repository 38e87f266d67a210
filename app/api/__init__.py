"""The JSON API the offline outbox syncs to, at /api/v1.

Signed-in by the session cookie; every POST carries the CSRF token in an `X-CSRFToken`
header (a fresh one comes from GET /api/v1/session). Signed out is always a 401 JSON answer,
never a redirect to the sign-in page, so the outbox can keep the entry and ask to sign in.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import views  # noqa: E402,F401
