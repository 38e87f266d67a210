"""People: people admin for managers (/people), invitations by email and from a CSV file, and
choosing a password from an emailed link (/welcome/<token>, /reset)."""

from flask import Blueprint

bp = Blueprint("people", __name__)

from app.people import invitations, links, views  # noqa: E402,F401  (routes register on import)
