"""Sign-in, sign-out, people admin and the access policy."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import account, views  # noqa: E402,F401  (routes register on import)
