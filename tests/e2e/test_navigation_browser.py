"""The main navigation stays calm on phones: the role's most used links and a "Menu" with the
rest, which opens with the keyboard and without JavaScript. Wide screens show every link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _nav(page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("width", [320, 390])
def test_a_phone_shows_the_most_used_links_and_a_menu_for_the_rest(make_page, demo, width):
    page = make_page(viewport={"width": width, "height": 700})
    sign_in(page, "manager@willow.demo")
    nav = _nav(page)
    for name in ("Report", "Reports to review", "Dashboard"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Audit trail")).to_have_count(0)  # not for managers
    expect(nav.get_by_role("link", name="People", exact=True)).to_have_count(0)  # behind Menu
    # The navigation takes less than a third of the first screen.
    assert nav.bounding_box()["height"] < 700 / 3
    assert_accessible(page)

    page.keyboard.press("Tab")  # skip link
    menu = nav.locator("summary")
    menu.focus()
    page.keyboard.press("Enter")
    people = nav.get_by_role("link", name="People", exact=True)
    expect(people).to_be_visible()
    people.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/people")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_menu_opens_without_javascript(make_page, demo):
    page = make_page(java_script_enabled=False)
    sign_in(page, "carer@willow.demo")
    nav = _nav(page)
    expect(nav.get_by_role("link", name="My reports")).to_be_visible()
    nav.locator("summary").click()
    nav.get_by_role("link", name="Induction", exact=True).click()
    page.wait_for_url("**/induction")
    expect(nav.locator("summary")).to_contain_text("Induction")  # where you are, while closed


def test_a_wide_screen_shows_every_link_and_no_menu(make_page, demo):
    page = make_page(viewport={"width": 1280, "height": 800})
    sign_in(page, "manager@willow.demo")
    nav = _nav(page)
    expect(nav.locator("summary")).to_be_hidden()
    for name in ("Home", "Report", "My reports", "Library", "Safeguarding", "People", "My account"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)
