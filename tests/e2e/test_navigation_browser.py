"""The header stays one calm row on phones, so the care worker's form starts near the top: the
brand, Report, a bell with the number of new notifications and a "Menu" that holds every other
link, grouped under Capture, Practice, Learning and Oversight. The Menu opens with the keyboard
and without JavaScript. Tablets and desktops show one row: Home, a disclosure per group and My
account, where the manager's 17 links used to wrap over four rows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, open_menu, sign_in

pytestmark = pytest.mark.e2e

ONE_ROW = 80  # px: a 44 px row of controls and its padding; a second row would pass this


def _nav(page):
    return page.get_by_role("navigation", name="Main")


def _menu(page):
    return _nav(page).locator("details.site-nav__menu summary")


def _menu_expanded(page) -> bool | None:
    """What a screen reader is told about "Menu" (expanded or not), from Chromium's own
    accessibility tree: the <summary> reports it natively, with or without JavaScript."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    for node in nodes:
        name = node.get("name", {}).get("value", "")
        if node.get("role", {}).get("value") == "DisclosureTriangle" and name.startswith("Menu"):
            states = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            return states.get("expanded")
    return None


def _header_controls(page):
    header = page.locator("header.site-header")
    return {
        "brand": header.get_by_role("link", name="LearnLoop"),
        "report": header.get_by_role("link", name="Report", exact=True),
        "notifications": header.locator("#header-notifications"),
        "menu": _menu(page),
    }


def _assert_one_row(page, width: int) -> None:
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] < ONE_ROW, f"header is {header['height']}px tall at {width}px"
    boxes = {name: c.bounding_box() for name, c in _header_controls(page).items()}
    for name, box in boxes.items():
        assert box is not None, f"{name} is not shown at {width}px"
        assert box["width"] >= 44 and box["height"] >= 44, f"{name} is a small target: {box}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name} is cut off: {box}"
        assert abs(box["y"] - boxes["brand"]["y"]) < 2, f"{name} is not on the brand's row"
    ordered = sorted(boxes.values(), key=lambda box: box["x"])
    for left, right in zip(ordered, ordered[1:], strict=False):
        assert left["x"] + left["width"] <= right["x"], "header controls overlap"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("email", ["carer@willow.demo", "manager@willow.demo"])
def test_on_a_phone_the_header_is_one_row_above_the_report_form(make_page, demo, email, width):
    page = make_page(viewport={"width": width, "height": 700})
    sign_in(page, email)
    for path in ("/", "/report"):
        page.goto(path)
        _assert_one_row(page, width)
        assert "1" in _header_controls(page)["notifications"].inner_text()  # the demo has 1 new
        assert_accessible(page)
    # The first question of the report and its whole box are on the first screen.
    question = page.get_by_label("What happened?")
    expect(question).to_be_focused()
    box = question.bounding_box()
    assert box["y"] + box["height"] <= 700, f"the report box ends at {box['y'] + box['height']}px"
    expect(_nav(page).get_by_role("link", name="Library")).to_have_count(0)  # behind Menu
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # behind Menu


@pytest.mark.parametrize("width", [320, 390])
def test_the_menu_opens_and_closes_from_the_keyboard(make_page, demo, width):
    page = make_page(viewport={"width": width, "height": 700})
    sign_in(page, "manager@willow.demo")
    menu = _menu(page)
    for _ in range(6):  # skip link, brand, Report, notifications, then Menu
        page.keyboard.press("Tab")
        if menu.evaluate("el => el === document.activeElement"):
            break
    expect(menu).to_be_focused()
    assert menu.evaluate("el => el.matches(':focus-visible')")
    assert menu.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    assert _menu_expanded(page) is False

    page.keyboard.press("Enter")
    assert _menu_expanded(page) is True
    people = _nav(page).get_by_role("link", name="People", exact=True)
    expect(people).to_be_visible()
    # The links sit under headings for what people do; Report is already in the row.
    headings = _nav(page).locator(".site-nav__menu h2")
    expect(headings).to_have_text(["Capture", "Practice", "Learning", "Oversight"])
    links = _nav(page).locator(".site-nav__links a")
    expect(links.first).to_have_text("Reflect")
    for box in (link.bounding_box() for link in links.all()):
        assert box["height"] >= 44, f"a menu link is a small target: {box}"
    # It opens below the row and pushes the page down: nothing hides under it.
    panel = _nav(page).locator(".site-nav__panel").bounding_box()
    assert page.locator("main").bounding_box()["y"] >= panel["y"] + panel["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)

    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Escape")
    assert _menu_expanded(page) is False
    expect(menu).to_be_focused()
    expect(people).to_be_hidden()

    page.keyboard.press(" ")
    assert _menu_expanded(page) is True
    page.keyboard.press(" ")
    assert _menu_expanded(page) is False
    page.keyboard.press("Enter")
    people.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/people")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _assert_one_row(page, width)


def test_at_200_percent_zoom_the_header_stays_one_row_and_the_menu_fits(make_page, demo):
    # A 1280 px wide laptop at 200% zoom lays the page out 640 CSS px wide.
    page = make_page(viewport={"width": 640, "height": 400})
    sign_in(page, "manager@willow.demo")
    page.goto("/report")
    _assert_one_row(page, 640)
    open_menu(page)
    expect(_nav(page).get_by_role("link", name="Unsafe workarounds")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def test_the_menu_opens_without_javascript(make_page, demo):
    page = make_page(java_script_enabled=False)
    sign_in(page, "carer@willow.demo")
    _assert_one_row(page, 390)
    _menu(page).focus()
    page.keyboard.press("Enter")
    assert _menu_expanded(page) is True
    _nav(page).get_by_role("link", name="Induction", exact=True).click()
    page.wait_for_url("**/induction")
    expect(_menu(page)).to_contain_text("Induction")  # where you are, for screen readers
    _menu(page).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


@pytest.mark.parametrize("width", [820, 1280])
def test_a_wide_screen_shows_the_groups_on_one_row_and_opens_them_from_the_keyboard(
    make_page, demo, width
):
    page = make_page(viewport={"width": width, "height": 800})
    sign_in(page, "manager@willow.demo")
    nav = _nav(page)
    expect(_menu(page)).to_be_hidden()
    row = nav.locator(".site-nav__row")
    groups = row.locator("details.site-nav__group > summary")
    expect(groups).to_have_text(["Capture", "Practice", "Learning", "Oversight"])
    for name in ("Home", "My account"):
        expect(row.get_by_role("link", name=name, exact=True)).to_be_visible()
    # One row, where 17 links used to wrap over four.
    assert row.bounding_box()["height"] < ONE_ROW
    for box in [g.bounding_box() for g in groups.all()]:
        assert box["height"] >= 44 and box["width"] >= 44, f"a group is a small target: {box}"
    expect(page.get_by_role("link", name="Report", exact=True)).to_have_count(0)  # until opened
    expect(page.locator("#header-notifications")).to_have_text(
        "Notifications 1 new", use_inner_text=True
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)

    oversight = groups.nth(3)
    oversight.focus()
    assert oversight.evaluate("el => el.matches(':focus-visible')")
    page.keyboard.press("Enter")
    people = nav.get_by_role("link", name="People", exact=True)
    expect(people).to_be_visible()
    expect(nav.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(people).to_be_hidden()
    expect(oversight).to_be_focused()

    # Opening another group closes the first; the open page's group is marked.
    groups.nth(2).click()
    nav.get_by_role("link", name="Library", exact=True).click()
    page.wait_for_url("**/library")
    expect(groups.nth(2)).to_contain_text("Learning")
    expect(nav.locator(".site-nav__group--here > summary")).to_have_text("Learning: Library")
    groups.nth(0).click()
    expect(nav.get_by_role("link", name="Report", exact=True)).to_be_visible()
    groups.nth(1).click()
    expect(nav.get_by_role("link", name="Report", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Safeguarding", exact=True)).to_be_visible()
