"""The main menu, grouped by what people do: Capture (write something down), Practice (their
own and their team's work), Learning (read, talk it through), Oversight (review and run the
service). Home and My account stand on their own.

Who sees a link is not decided here: a link shows when its page exists and the access policy
lets the person's role open it (the `@require` action on the view, app/auth/policy.py), so the
menu can never offer a page that answers 403, nor hide one the policy allows.

On phones the header keeps one row (brand, Report, notifications, "Menu"); the Menu is a
<details> holding the groups under their headings. Wide screens show Home, one disclosure per
group and My account in a single row (base.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.auth.policy import role_allows
from app.models import Role, User


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


@dataclass(frozen=True)
class NavGroup:
    heading: str
    items: tuple[NavItem, ...]


HOME = NavItem("home.index", "Home")
ACCOUNT = NavItem("auth.account", "My account")

MENU: tuple[NavGroup, ...] = (
    NavGroup(
        "Capture",
        (
            NavItem("reports.new", "Report"),
            NavItem("reflections.new", "Reflect"),
            NavItem("supervision.observe", "Observe"),
        ),
    ),
    NavGroup(
        "Practice",
        (
            NavItem("reports.mine", "My reports"),
            NavItem("supervision.mine", "My development"),
            NavItem("supervision.index", "Supervision"),
            NavItem("safeguarding.index", "Safeguarding"),
        ),
    ),
    NavGroup(
        "Learning",
        (
            NavItem("library.index", "Library"),
            NavItem("induction.index", "Induction"),
            NavItem("debriefs.index", "Debriefs"),
            NavItem("governance.meetings", "Meetings"),
        ),
    ),
    NavGroup(
        "Oversight",
        (
            NavItem("reports.queue", "Reports to review"),
            NavItem("governance.dashboard", "Dashboard"),
            NavItem("debriefs.workarounds", "Unsafe workarounds"),
            NavItem("people.index", "People"),
            NavItem("admin.audit", "Audit trail"),
        ),
    ),
)


def required_action(endpoint: str) -> str | None:
    """The policy action the page's view requires (None: any signed-in person may open it)."""
    return getattr(current_app.view_functions[endpoint], "required_action", None)


def role_may_open(role: Role, endpoint: str) -> bool:
    """Whether the page exists and the access policy lets `role` open it."""
    if endpoint not in current_app.view_functions:
        return False
    action = required_action(endpoint)
    return action is None or role_allows(role, action)


def nav_groups(user: User) -> list[NavGroup]:
    """The groups with the links `user` may open, empty groups left out."""
    if not user.is_authenticated:
        return []
    return _menus_by_role()[user.role]


def nav_for(user: User) -> list[NavItem]:
    """Every link `user` may open, in menu order: Home, the groups' links, My account."""
    if not user.is_authenticated:
        return []
    items = [item for group in nav_groups(user) for item in group.items]
    return [i for i in (HOME, *items, ACCOUNT) if role_may_open(user.role, i.endpoint)]


def _menus_by_role() -> dict[Role, list[NavGroup]]:
    """Worked out once per app: every page's header asks, and the answer never changes."""
    cached = current_app.extensions.get("learnloop_menu")
    if cached is None:
        cached = {role: _menu_for(role) for role in Role}
        current_app.extensions["learnloop_menu"] = cached
    return cached


def _menu_for(role: Role) -> list[NavGroup]:
    groups = []
    for group in MENU:
        items = tuple(i for i in group.items if role_may_open(role, i.endpoint))
        if items:
            groups.append(NavGroup(group.heading, items))
    return groups
