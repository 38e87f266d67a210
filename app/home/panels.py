"""Home page panels. Each area registers what it shows on `/` from its own `panels.py`, so the
home page grows with the product without one template knowing every area.

    @home_panel("reports/_home_panel.html", order=10)
    def my_reports(user):
        return {"reports": ...}   # or None to show nothing for this person
"""

from __future__ import annotations

from app.models import User
from app.registry import PanelRegistry

HOME_PANELS = PanelRegistry("home page panels")
home_panel = HOME_PANELS.panel


def panels_for(user: User) -> list[tuple[str, dict]]:
    """The (template, context) pairs to show `user`, in order; a None context hides a panel."""
    return HOME_PANELS.shown(user)
