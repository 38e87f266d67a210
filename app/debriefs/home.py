"""The home panel for supervisors and above: debriefs still to run or finish."""

from __future__ import annotations

from app.auth.policy import can, in_scope
from app.debriefs.services import open_debriefs_count
from app.home.panels import home_panel
from app.models import Debrief


@home_panel("debriefs/_home_panel.html", order=30)
def debriefs_panel(user):
    if not can(user, "debriefs.view"):
        return None
    return {"open": open_debriefs_count(in_scope(user, Debrief.service_id))}
