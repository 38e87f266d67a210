"""Holding a supervision on a tablet, and the other supervision pages, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET, assert_accessible, follow_menu_link, open_menu, sign_in

pytestmark = pytest.mark.e2e


def test_supervisor_holds_a_supervision_with_prompts_and_an_escalation_check(make_page, demo):
    page = make_page(TABLET)
    sign_in(page, "supervisor@willow.demo")
    follow_menu_link(page, "Supervision")
    expect(page.get_by_text("Overdue").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Who is the supervision with?").select_option(label="Priya Patel")
    page.get_by_role("button", name="Start a supervision").click()
    expect(page.get_by_text("The evening paracetamol was signed for")).to_be_visible()
    expect(page.get_by_text("Medication administration: Overdue")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Looking at your recent reports: what helped, what got in the way?").fill(
        "The MAR was hard to read after the new cycle; the pharmacy now prints larger labels."
    )
    checks = page.locator("fieldset").filter(has=page.get_by_text("Confident", exact=True))
    count = checks.count()
    assert count == 3
    for index in range(count):
        choice = "Needs support" if index == 0 else "Confident"
        checks.nth(index).get_by_text(choice, exact=True).click()
    page.get_by_label("Agreed action 1", exact=True).fill("Read the on-call guide together")
    page.get_by_role("button", name="Save supervision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supervision on")
    expect(page.get_by_text("Needs support", exact=True)).to_be_visible()
    expect(page.get_by_text("Read the on-call guide together")).to_be_visible()
    assert_accessible(page)
    page.goto("/observe/team")
    expect(page.get_by_text("consider observing sooner (NICE SC1)")).to_be_visible()
    assert_accessible(page)
    page.goto("/checklists")
    assert_accessible(page)
    page.get_by_role("link", name="Medication administration").click()
    expect(page.get_by_text("Add-on: Controlled drugs")).to_be_visible()
    assert_accessible(page)


def test_manager_pages_and_my_development_are_accessible_on_a_phone(make_page, demo):
    page = make_page()
    sign_in(page, "manager@willow.demo")
    page.goto("/supervision/settings")
    assert_accessible(page)
    page.goto("/checklists")
    page.get_by_role("link", name="Record keeping").click()
    page.get_by_role("link", name="Edit (saves a new version)").click()
    expect(page.get_by_text("Saving makes version 2")).to_be_visible()
    assert_accessible(page)
    carer = make_page()
    sign_in(carer, "carer@willow.demo")
    open_menu(carer)
    carer.get_by_role("link", name="My development").first.click()
    expect(carer.get_by_text("Infection prevention and hand hygiene").first).to_be_visible()
    assert_accessible(carer)
    width = carer.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
