"""Home panels: for supervisors and above, debriefs still open and serious reports that have
no debrief yet; for care workers, the debriefs they took part in and the actions they own."""

from __future__ import annotations

from app.auth.policy import can
from app.debriefs.services import attended_counts, debriefs_to_run
from app.home.panels import home_panel


@home_panel("debriefs/_home_panel.html", order=30)
def debriefs_panel(user):
    if not can(user, "debriefs.view"):
        return None
    open_debriefs, waiting = debriefs_to_run(user)
    return {"open": open_debriefs, "waiting": waiting}


@home_panel("debriefs/_home_attended.html", order=35)
def attended_panel(user):
    """Only for people who cannot run debriefs (supervisors reach the same list from their
    own panel), and only once they have taken part in one."""
    if can(user, "debriefs.view"):
        return None
    attended, my_open_actions = attended_counts(user)
    if not attended:
        return None
    return {"attended": attended, "my_open_actions": my_open_actions}
