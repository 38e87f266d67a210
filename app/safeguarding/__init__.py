"""Restrictive practice, best-interests decisions, the per-person register, PBS reviews,
safeguarding concerns and their escalation, and positive risk-taking sessions.

Who sees what: staff see none of these records (they report through /report). Supervisors
record restrictions and positive risk sessions and see the register for their service.
Managers also record concerns, best-interests decisions and reviews, and see the logs and
trends. Admins see every service of their organisation.
"""

from flask import Blueprint

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")

from app.safeguarding import cli, evidence, figures, panels, views  # noqa: E402,F401
