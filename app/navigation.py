"""The navigation, by role. Features add their entry here; an entry shows only when its page
exists and the person's role reaches it, so the menu never offers a page they cannot open.

On phones the header keeps one row: Report stays in view and every other link sits behind a
"Menu" disclosure (<details>, so it works without JavaScript), the links each role uses most
(PRIMARY) first. Wide screens show every link.
"""

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
    NavItem("people.index", "People", Role.MANAGER),
    NavItem("admin.audit", "Audit trail", Role.ADMIN),
    NavItem("auth.account", "My account"),
)


# The links each role uses most, first in the phone menu (at most three).
PRIMARY: dict[Role, tuple[str, ...]] = {
    Role.STAFF: ("reports.new", "reports.mine", "library.index"),
    Role.SUPERVISOR: ("reports.new", "supervision.observe", "supervision.index"),
    Role.MANAGER: ("reports.new", "reports.queue", "governance.dashboard"),
    Role.ADMIN: ("reports.queue", "governance.dashboard", "people.index"),
}
PRIMARY_MAX = 3


def nav_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return _items_by_role()[user.role]


def _items_by_role() -> dict[Role, list[NavItem]]:
    """Worked out once per app: every page's header asks, and the answer never changes."""
    cached = current_app.extensions.get("learnloop_nav")
    if cached is None:
        known = current_app.view_functions
        cached = {
            role: [i for i in NAV_ITEMS if i.endpoint in known and role.rank >= i.role.rank]
            for role in Role
        }
        current_app.extensions["learnloop_nav"] = cached
    return cached


def nav_split(user: User) -> tuple[list[NavItem], list[NavItem]]:
    """(the role's most used links, the rest), each in NAV_ITEMS order: the phone menu lists
    them in that order so the most used come first."""
    items = nav_for(user)
    wanted = PRIMARY.get(user.role, ()) if user.is_authenticated else ()
    primary = [item for item in items if item.endpoint in wanted][:PRIMARY_MAX]
    return primary, [item for item in items if item not in primary]
