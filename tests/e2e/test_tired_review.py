"""A manager's review of a report is one form: the thank-you, the learning and the review are
saved by one button, and leaving with unsaved text asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 800}


def _open_first_report(page) -> str:
    page.goto("/reports")
    page.locator(".cards .card").first.get_by_role("link").first.click()
    page.wait_for_url("**/reports/*")
    return page.url


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
def test_thank_you_is_kept_when_the_review_is_saved(make_page, demo, viewport):
    page = make_page(viewport)
    sign_in(page, "manager@willow.demo")
    url = _open_first_report(page)
    assert_accessible(page)
    assert page.get_by_role("button", name="Save review").count() == 1
    assert page.get_by_label("What we learned").count() == 1  # one learning box
    page.get_by_label("Thank-you message").fill("Thank you for speaking up so quickly.")
    page.get_by_label("What we learned").fill("Two people check the chart at handover now.")
    page.get_by_label("Status").select_option("under_review")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status").first).to_contain_text("saved and sent")
    page.goto(url)
    expect(page.get_by_label("Thank-you message")).to_have_value(
        "Thank you for speaking up so quickly."
    )
    expect(page.get_by_label("What we learned")).to_have_value(
        "Two people check the chart at handover now."
    )
    timeline = page.locator(".timeline").inner_text()
    assert "Thank-you" in timeline and "Learning shared" in timeline
    assert "Thank-you not yet" not in " ".join(timeline.split())


def test_leaving_with_unsaved_text_asks_first(make_page, demo):
    page = make_page(LAPTOP)
    sign_in(page, "manager@willow.demo")
    url = _open_first_report(page)
    seen = []

    def dismiss(dialog):
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_label("Thank-you message").fill("")
    page.get_by_label("Thank-you message").click()
    page.keyboard.type("Thank you")  # real key presses: the page has been used
    page.get_by_role("link", name="LearnLoop").first.click()
    page.wait_for_timeout(300)
    assert seen == ["beforeunload"]
    assert page.url == url  # stayed, with the text
    expect(page.get_by_label("Thank-you message")).to_have_value("Thank you")
    # Saving is not leaving: no question then.
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    assert seen == ["beforeunload"]
