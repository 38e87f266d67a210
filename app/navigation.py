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

from flask import current_app, request
from markupsafe import Markup, escape

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
    return _links_by_role()[user.role]


@dataclass(frozen=True)
class SignedInHeader:
    """The signed-in header's links for one role on one page (`signed_in_header`)."""

    report_link: Markup  # empty when the role may not report
    nav_before_token: Markup
    nav_after_token: Markup

    def nav(self, csrf_token: str) -> Markup:
        """The menu, with this request's CSRF token (escaped) in its sign-out form."""
        return self.nav_before_token + escape(csrf_token) + self.nav_after_token


# Stands for the CSRF token while the menu is rendered once for everyone of a role.
TOKEN_MARK = "@@learnloop-csrf-token@@"  # noqa: S105 - a placeholder, not a secret


def signed_in_header(user: User) -> SignedInHeader:
    """The header's Report link and menu for `user`'s role on this page.

    Why rendered once per role and page, not per request: the links depend only on the role
    (what the policy lets it open) and on which page is open (`aria-current`), and building
    them was a third of the report form's rendering (some thirty `url_for` calls and the
    filters). The person's own parts stay out: the notification count is rendered on every
    request by base.html, and the sign-out form's CSRF token is put in by `nav()`."""
    key = (user.role, request.endpoint, request.script_root)
    rendered: dict = current_app.extensions.setdefault("learnloop_header", {})
    header = rendered.get(key)
    if header is None:
        header = rendered[key] = _render_header(user.role, request.endpoint)
    return header


def _render_header(role: Role, endpoint: str | None) -> SignedInHeader:
    macros = current_app.jinja_env.get_template("_site_nav.html").module
    links = _links_by_role()[role]
    here = next((item for item in links if item.endpoint == endpoint), None)
    reports = any(item.endpoint == "reports.new" for item in links)
    nav = macros.site_nav(_menus_by_role()[role], here, endpoint, TOKEN_MARK)
    before, mark, after = nav.partition(TOKEN_MARK)  # Markup.partition keeps both as Markup
    if not mark or TOKEN_MARK in after:
        raise RuntimeError("_site_nav.html must hold the CSRF token exactly once")
    return SignedInHeader(
        report_link=macros.report_link(endpoint) if reports else Markup(""),
        nav_before_token=before,
        nav_after_token=after,
    )


def _links_by_role() -> dict[Role, list[NavItem]]:
    """Every role's links in menu order, worked out once per app (see `_menus_by_role`)."""
    cached = current_app.extensions.get("learnloop_links")
    if cached is None:
        cached = {}
        for role in Role:
            items = [item for group in _menus_by_role()[role] for item in group.items]
            cached[role] = [i for i in (HOME, *items, ACCOUNT) if role_may_open(role, i.endpoint)]
        current_app.extensions["learnloop_links"] = cached
    return cached


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
