"""Make learning visible: the leadership dashboard, meetings, the staff pulse, "you said, we
did" and the evidence pack for commissioners and CQC.

The dashboard's figures and the evidence pack's samples come from the areas that own the
records (app/reports/figures.py, app/debriefs/evidence.py, ...); governance knows none of them.
"""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from app.governance import panels, share_views, views  # noqa: E402,F401  (routes and the home panel)
