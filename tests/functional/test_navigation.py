"""The menu offers exactly the pages the access policy lets each role open: every link shown
opens, every page in the menu that is not shown answers 403 to that role. A second copy of role
thresholds cannot creep back, because the menu has none."""

from __future__ import annotations

import re

import pytest

from app.models import Role
from app.navigation import ACCOUNT, HOME, MENU

EVERY_LINK = {HOME.label: HOME, ACCOUNT.label: ACCOUNT}
EVERY_LINK.update({item.label: item for group in MENU for item in group.items})


def _menu_links(page: str) -> dict[str, list[str]]:
    """The phone Menu's groups as the person sees them: heading -> link labels."""
    menu = page.split('class="site-nav__menu"')[1].split('class="site-nav__account"')[0]
    groups = {}
    for section in menu.split('class="site-nav__section"')[1:]:
        heading = re.search(r'class="site-nav__heading"[^>]*>([^<]+)</h2>', section).group(1)
        groups[heading] = re.findall(r">([^<]+)</a>", section)
    return groups


def _wide_links(page: str) -> list[str]:
    row = page.split('class="site-nav__row"')[1].split('class="site-nav__menu"')[0]
    return re.findall(r">([^<]+)</a>", row)


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_shows_exactly_the_links_the_policy_allows(app, client, signed_in, world, role):
    person = {
        Role.STAFF: world.staff,
        Role.SUPERVISOR: world.supervisor,
        Role.MANAGER: world.manager,
        Role.ADMIN: world.admin,
    }[role]
    signed_in(person)
    page = client.get("/").get_data(as_text=True)
    shown = set(_wide_links(page))
    with app.test_request_context():
        from flask import url_for

        urls = {label: url_for(item.endpoint) for label, item in EVERY_LINK.items()}
    for label, url in urls.items():
        status = client.get(url).status_code
        if label in shown:
            assert status < 400, f"{role.value} is offered {label} but {url} answers {status}"
        else:
            assert status == 403, f"{role.value} may open {label} ({url}) but is not offered it"
    # The phone Menu holds the same links (Report sits in the header row instead).
    phone = {label for labels in _menu_links(page).values() for label in labels}
    assert phone | {"Home", "My account", "Report"} == shown | {"Report"}


def test_a_care_worker_sees_no_empty_group(client, signed_in, world):
    signed_in(world.staff)
    groups = _menu_links(client.get("/").get_data(as_text=True))
    assert groups == {
        "Capture": ["Reflect"],
        "Practice": ["My reports", "My development"],
        "Learning": ["Library", "Induction", "Meetings"],
    }


def test_a_manager_sees_four_groups_of_what_people_do(client, signed_in, world):
    signed_in(world.manager)
    groups = _menu_links(client.get("/").get_data(as_text=True))
    assert list(groups) == ["Capture", "Practice", "Learning", "Oversight"]
    assert groups["Oversight"] == ["Reports to review", "Dashboard", "Unsafe workarounds", "People"]
    assert sum(len(labels) for labels in groups.values()) + 3 == 17  # Report, Home, My account


def _menu_sign_out_token(page: str) -> str:
    account = page.split('class="site-nav__account"')[1]
    return re.search(r'name="csrf_token" value="([^"]+)"', account).group(1)


def test_the_menu_made_once_per_role_still_marks_the_open_page_and_carries_each_persons_token(
    app, signed_in, world
):
    from tests.conftest import csrf_token_from, sign_in

    first, second = app.test_client(), app.test_client()
    assert sign_in(first, world.staff.email).status_code == 302
    assert sign_in(second, world.riverside_staff.email).status_code == 302  # the same role
    tokens = []
    for client in (first, second, first):
        page = client.get("/reports/mine").get_data(as_text=True)
        assert re.search(r'<a href="/reports/mine" aria-current="page">My reports</a>', page)
        assert 'site-nav__here">: My reports<' in page
        # The menu's sign-out form carries this page's own token, which signs out.
        assert _menu_sign_out_token(page) == csrf_token_from(page)
        tokens.append(_menu_sign_out_token(page))
    assert tokens[0] != tokens[1]
    home = first.get("/").get_data(as_text=True)
    assert 'aria-current="page">My reports<' not in home
    assert re.search(r'<a href="/" aria-current="page">Home</a>', home)
    signed_out = first.post("/logout", data={"csrf_token": _menu_sign_out_token(home)})
    assert signed_out.status_code == 302
    assert first.get("/reports/mine").status_code == 302  # signed out: sent to sign in
