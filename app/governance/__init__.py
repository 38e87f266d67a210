"""Make learning visible: the leadership dashboard, meetings, the staff pulse, "you said, we
did" and the evidence pack for commissioners and CQC."""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from app.governance import (  # noqa: E402,F401  (register figures, evidence and routes)
    debrief_figures,
    learning_evidence,
    people_figures,
    report_figures,
    safeguarding_figures,
    share_views,
    views,
)
