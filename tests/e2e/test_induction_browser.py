"""A new starter reads their induction on a phone, in a real browser."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import TABLET, assert_accessible, open_menu, sign_in

pytestmark = pytest.mark.e2e


def test_new_starter_reads_and_acknowledges_the_first_induction_article(make_page, demo):
    page = make_page()
    sign_in(page, "newstarter@willow.demo")
    assert "Your induction reading" in page.inner_text("main")
    open_menu(page)
    page.get_by_role("link", name="Induction", exact=True).click()
    page.wait_for_url("**/induction")
    assert_accessible(page)
    assert page.get_by_text("0 of 16 read").is_visible()

    next_card = page.get_by_role("region", name="Read next")
    assert "Your role, and the 16 Care Certificate standards" in next_card.inner_text()
    next_card.get_by_role("link", name="Start reading").click()
    page.wait_for_url("**/library/your-role-and-the-care-certificate")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Your role")
    button = page.get_by_role("button", name="I have read and understood")
    button.scroll_into_view_if_needed()  # loaded by htmx into the page
    assert_accessible(page)
    button.click()
    confirmed = page.get_by_text(re.compile("Thank you. You confirmed you read and understood"))
    confirmed.wait_for()
    assert page.url.endswith("/library/your-role-and-the-care-certificate")  # no reload
    assert page.get_by_role("link", name=re.compile("^Next: Growing in your job")).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to my induction").click()
    page.wait_for_url("**/induction")
    assert page.get_by_text("1 of 16 read").is_visible()
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "1"
    assert "Growing in your job" in page.get_by_role("region", name="Read next").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the induction page scrolls sideways on a phone ({width}px)"


def test_care_worker_searches_the_library_by_topic_on_a_phone(make_page, demo):
    page = make_page()
    sign_in(page, "carer@willow.demo")
    page.goto("/library")
    assert_accessible(page)
    page.get_by_label("Search the library").fill("capacity")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name=re.compile("for “capacity”")).wait_for()
    results = page.locator("#library-results")
    assert "The Mental Capacity Act and best interests" in results.inner_text()
    page.get_by_label("Topic").select_option("medication")
    page.get_by_role("heading", name=re.compile("in Medication")).wait_for()
    assert "The Mental Capacity Act" not in results.inner_text()
    assert_accessible(page)


def test_manager_follows_new_starters_and_publishes_a_bulletin_on_a_tablet(make_page, demo):
    page = make_page(viewport=TABLET)
    sign_in(page, "manager@willow.demo")
    page.goto("/induction/team")
    assert "Jamie Reid" in page.inner_text("main") and "0 of 16 read" in page.inner_text("main")
    assert_accessible(page)
    page.goto("/induction/manage")
    assert "covering 16 of the 16 standards" in page.inner_text("main")
    assert_accessible(page)
    page.goto("/library/bulletins/new")
    page.get_by_label("Title").fill("Learning from a fall at night")
    page.get_by_label("Summary").fill("A sensor mat was unplugged.")
    page.get_by_label("What happened").fill("A resident fell at night; the sensor mat was off.")
    page.get_by_label("What we learned").fill("The plug is easy to knock out when cleaning.")
    page.get_by_role("button", name="Publish bulletin").click()
    # One clear message about the missing part, and nothing typed is lost.
    assert "Say what changes now." in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Title").input_value() == "Learning from a fall at night"
    assert_accessible(page)
    page.get_by_label("What changes").fill("Night staff check the mat is on at every round.")
    page.get_by_role("button", name="Publish bulletin").click()
    page.wait_for_url("**/library/learning-from-a-fall-at-night")
    assert page.get_by_role("heading", name="What changes").is_visible()
    assert_accessible(page)
