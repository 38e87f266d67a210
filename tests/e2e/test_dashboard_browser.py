"""The manager changes the dashboard's range in a real browser: the panels swap, the page stays."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_manager_changes_the_range_without_a_full_reload(make_page, demo):
    page = make_page(TABLET)
    sign_in(page, "manager@willow.demo")
    page.goto("/dashboard")
    assert_accessible(page)
    page.evaluate("window.stillTheSamePage = true")
    first = page.locator(".lead").first.inner_text()
    start = page.get_by_label("From (month)")
    later = _months_after(start.input_value(), 2)  # inside the default year, whatever today is
    start.fill(later.strftime("%Y-%m"))
    start.blur()  # the browser's own change event, as a person's
    # Locator waits run inside Playwright's own script, so the strict CSP (no eval) holds.
    expect(page.locator("#dashboard-panels .lead")).to_contain_text(f"{later:%B %Y} to")
    assert page.evaluate("window.stillTheSamePage") is True  # no full page load happened
    assert page.locator("#dashboard-panels .lead").inner_text() != first
    assert f"start={later:%Y-%m}" in page.url  # the range can be bookmarked
    figure = page.locator("#figure-reports")
    figure.get_by_text("Show as table").click()
    expect(figure.get_by_role("table")).to_be_visible()
    assert_accessible(page)


def test_staff_answer_the_pulse_on_a_phone(make_page, demo):
    page = make_page()
    sign_in(page, "carer@riverside.demo")
    page.get_by_role("link", name="Answer the staff pulse").click()
    assert_accessible(page)
    for question in (
        "I feel safe to report mistakes.",
        "When I report, I hear back.",
        "We talk about what went wrong without blame.",
    ):
        page.get_by_role("group", name=question).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    assert "Your answers are in." in page.get_by_role("main").inner_text()


def test_manager_reads_the_dashboard_and_evidence_pack_on_a_phone(make_page, demo):
    page = make_page()
    sign_in(page, "manager@willow.demo")
    page.goto("/dashboard")
    assert_accessible(page)
    page.get_by_role("link", name="unsafe workarounds still open").click()
    expect(page.locator("#figure-workarounds")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.goto("/evidence")
    assert_accessible(page)
    expect(page.get_by_role("heading", name="Restrictive practice: overview")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _months_after(month: str, months: int) -> date:
    """The first day of the month `months` after "YYYY-MM"."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + months
    return date(index // 12, index % 12 + 1, 1)
