"""The home panel for supervisors and above: debriefs still open, and serious reports that
have no debrief yet."""

from __future__ import annotations

from app.auth.policy import can
from app.debriefs.services import debriefs_to_run
from app.home.panels import home_panel


@home_panel("debriefs/_home_panel.html", order=30)
def debriefs_panel(user):
    if not can(user, "debriefs.view"):
        return None
    open_debriefs, waiting = debriefs_to_run(user)
    return {"open": open_debriefs, "waiting": waiting}
