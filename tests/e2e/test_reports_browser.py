"""The reporting loop on a phone, in a real browser: report, triage, thanks, learning."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, open_menu, sign_in
from tests.functional.anonymous_release import release_held

pytestmark = pytest.mark.e2e

WHAT_HAPPENED = "Two residents' tablets were nearly swapped at the evening round."
THANKS = "Thank you for spotting this and telling us straight away."
LEARNING = "Every chart now has a photo, and the round is not interrupted."


def _report_near_miss(page, anonymous: bool = False) -> None:
    """Only the required answers; every step is one user action."""
    actions = 0
    page.get_by_role("link", name="Report something").click()
    actions += 1
    assert_accessible(page)
    page.get_by_label("What happened?").fill(WHAT_HAPPENED)
    page.get_by_label("Near miss – caught in time").check()
    page.get_by_label("Medication", exact=True).check()
    actions += 3
    # The category's follow-up questions arrive by htmx; they stay optional.
    expect(page.get_by_label("What kind of medication problem?")).to_be_visible()
    if anonymous:
        page.get_by_label("Report without my name").check()
        actions += 1
    page.get_by_role("button", name="Send report").click()
    actions += 1
    assert actions <= 8
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us."
    assert_accessible(page)


def _manager_thanks_and_shares_learning(make_page, reporter_label: str) -> None:
    page = make_page()
    sign_in(page, "manager@willow.demo")
    assert "new report" in page.inner_text("main")
    open_menu(page)
    page.get_by_role("link", name="Reports to review").first.click()
    assert_accessible(page)
    # Riskiest first by default: find this near miss by its words.
    page.get_by_label("Search the report text").fill(WHAT_HAPPENED[:30])
    page.get_by_role("button", name="Search").click()
    first = page.locator(".cards .card").first
    assert WHAT_HAPPENED[:30] in first.inner_text()
    assert reporter_label in first.inner_text()
    first.get_by_role("link").click()
    assert_accessible(page)
    page.get_by_label("Thank-you message").fill(THANKS)
    page.get_by_label("What we learned").fill(LEARNING)
    page.get_by_role("button", name="Save review").click()
    assert "saved and sent." in page.get_by_role("status").first.inner_text()
    assert "Learning shared" in page.inner_text(".lead")


def test_staff_reports_a_near_miss_and_sees_the_managers_feedback(make_page, demo):
    staff = make_page()
    sign_in(staff, "carer@willow.demo")
    _report_near_miss(staff)
    staff.get_by_role("link", name="My reports").first.click()
    assert "Status: Sent" in staff.locator(".cards .card").first.inner_text()

    _manager_thanks_and_shares_learning(make_page, "Priya Patel")

    staff.goto("/")
    assert "new thanks or learning" in staff.inner_text("main")
    staff.get_by_role("link", name="My reports").first.click()
    newest = staff.locator(".cards .card").first
    assert THANKS in newest.inner_text() and LEARNING in newest.inner_text()
    assert "Learning shared" in newest.inner_text()
    assert_accessible(staff)


def test_anonymous_report_goes_round_the_loop_by_receipt_code(make_page, demo, app):
    staff = make_page()
    sign_in(staff, "carer@willow.demo")
    _report_near_miss(staff, anonymous=True)
    code = staff.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    assert release_held(app) == 1  # as cron does within the release window

    _manager_thanks_and_shares_learning(make_page, "Anonymous")

    # Back on the reporter's own phone, still signed in: the check goes without the cookie,
    # so the server cannot tie the code to the account.
    checks = []
    staff.on(
        "request",
        lambda r: r.method == "POST" and r.url.endswith("/reports/receipt") and checks.append(r),
    )
    staff.goto("/reports/receipt")
    assert_accessible(staff)
    staff.get_by_label("Your receipt code").fill(code)
    staff.get_by_role("button", name="Show my report").click()
    expect(staff.locator("main")).to_contain_text(THANKS)
    assert LEARNING in staff.inner_text("main")
    assert len(checks) == 1 and "cookie" not in checks[0].all_headers()
    assert_accessible(staff)
    staff.get_by_role("link", name="Check another code").click()
    staff.get_by_label("Your receipt code").fill("AAAA-BBBB-CCCC-DDDD")
    staff.get_by_role("button", name="Show my report").click()
    expect(staff.locator("main")).to_contain_text("We could not find a report with that code")


def test_bad_answers_are_explained_without_losing_anything(make_page, demo):
    page = make_page()
    sign_in(page, "carer@willow.demo")
    page.get_by_role("link", name="Report something").click()
    page.get_by_label("What happened?").fill("Found on the floor")
    page.get_by_label("It reached someone").check()
    page.get_by_role("button", name="Send report").click()
    summary = page.get_by_role("alert").inner_text()
    assert "Choose what kind of event it was." in summary
    assert "Choose whether anyone was hurt." in summary
    assert page.get_by_label("What happened?").input_value() == "Found on the floor"
    assert page.get_by_label("It reached someone").is_checked()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_without_javascript_the_follow_up_questions_come_by_a_round_trip(make_page, demo):
    page = make_page(java_script_enabled=False)
    sign_in(page, "carer@willow.demo")
    page.goto("/report")
    page.get_by_label("What happened?").fill("Found on the floor by the bed")
    page.get_by_label("It reached someone").check()
    page.get_by_label("Falls", exact=True).check()
    page.get_by_role("button", name="Show questions for this kind of event").click()
    assert page.get_by_label("What happened?").input_value() == "Found on the floor by the bed"
    page.get_by_label("Did anyone see the fall?").select_option("no")
    page.get_by_label("None – no harm").check()
    page.get_by_role("button", name="Send report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us."
