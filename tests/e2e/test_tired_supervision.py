"""A supervision that cannot be saved says so at the top, with focus there, links to each
answer to fix, marks what is required, and keeps every note typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TABLET, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

NOTE = "The MAR was hard to read after the new cycle; the pharmacy now prints larger labels."
WELLBEING = "How are you? What is on your mind at work at the moment?"
INCIDENTS = "Looking at your recent reports: what helped, what got in the way?"


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_an_unmarked_escalation_question_is_shown_at_the_top_and_notes_are_kept(
    make_page, demo, viewport
):
    page = make_page(viewport)
    sign_in(page, "supervisor@willow.demo")
    page.goto("/supervision")
    page.get_by_label("Who is the supervision with?").select_option(label="Priya Patel")
    page.get_by_role("button", name="Start a supervision").click()
    expect(page.get_by_text("(required)").first).to_be_visible()
    page.get_by_label(INCIDENTS).fill(NOTE)
    checks = page.locator("fieldset").filter(has=page.get_by_text("Confident", exact=True))
    assert "(required)" in checks.first.locator("legend").inner_text()
    checks.nth(0).get_by_text("Confident", exact=True).click()  # the others left unmarked
    page.get_by_role("button", name="Save supervision").click()

    summary = page.get_by_role("alert").filter(has_text="Not saved yet")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert summary.bounding_box()["y"] < 900  # near the top, not 2,200 px down
    assert summary.get_by_role("link").count() == 2  # one per unmarked question
    expect(page.get_by_label(INCIDENTS)).to_have_value(NOTE)  # kept
    expect(checks.nth(0).get_by_label("Confident")).to_be_checked()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name").startswith("confidence-")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_no_notes_and_no_date_are_both_listed(make_page, demo):
    page = make_page(TABLET)
    sign_in(page, "supervisor@willow.demo")
    page.goto("/supervision")
    page.get_by_label("Who is the supervision with?").select_option(label="Priya Patel")
    page.get_by_role("button", name="Start a supervision").click()
    page.get_by_label("Date").fill("")
    page.get_by_role("button", name="Save supervision").click()
    summary = page.get_by_role("alert").filter(has_text="Not saved yet")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the date of the supervision.")
    summary.get_by_role("link", name="Enter the date of the supervision.").click()
    expect(page.get_by_label("Date")).to_be_focused()
