"""Governance on the home page: the staff pulse nudge and, for leaders, the dashboard link."""

from __future__ import annotations

from app.governance.figures import today
from app.governance.services import has_answered_pulse
from app.home.panels import home_panel
from app.models import Role, User


@home_panel("governance/_home_panel.html", order=80)
def pulse_and_board_panel(user: User):
    """Staff: a nudge to answer this month's pulse. Managers: the dashboard link."""
    return {
        "pulse_due": not has_answered_pulse(user),
        "is_leader": user.has_role(Role.MANAGER),
        "today": today(),
    }
