"""The navigation, by role. Features add their entry here; an entry shows only when its page
exists and the person's role reaches it, so the menu never offers a page they cannot open."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.models import Role, User


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    role: Role = Role.STAFF


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home.index", "Home"),
    NavItem("reports.new", "Report"),
    NavItem("reports.mine", "My reports"),
    NavItem("reflections.new", "Reflect"),
    NavItem("library.index", "Library"),
    NavItem("induction.index", "Induction"),
    NavItem("supervision.mine", "My development"),
    NavItem("supervision.observe", "Observe", Role.SUPERVISOR),
    NavItem("debriefs.index", "Debriefs", Role.SUPERVISOR),
    NavItem("supervision.index", "Supervision", Role.SUPERVISOR),
    NavItem("reports.queue", "Reports to review", Role.MANAGER),
    NavItem("safeguarding.index", "Safeguarding", Role.SUPERVISOR),
    NavItem("governance.dashboard", "Dashboard", Role.MANAGER),
    NavItem("governance.meetings", "Meetings", Role.SUPERVISOR),
    NavItem("debriefs.workarounds", "Unsafe workarounds", Role.MANAGER),
    NavItem("auth.people", "People", Role.MANAGER),
    NavItem("admin.audit", "Audit trail", Role.ADMIN),
    NavItem("auth.account", "My account"),
)


def nav_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    known = current_app.view_functions
    return [item for item in NAV_ITEMS if item.endpoint in known and user.has_role(item.role)]
