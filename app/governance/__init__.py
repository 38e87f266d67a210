"""Make learning visible: the leadership dashboard, meetings, the staff pulse, "you said, we
did" and the evidence pack for commissioners and CQC."""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from app.governance import report_figures, views  # noqa: E402,F401  (register figures and routes)
