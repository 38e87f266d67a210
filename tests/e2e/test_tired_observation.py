"""Observing practice on a tablet or phone: a critical item marked "Not yet" switches the
outcome on the page and says why; add-ons show only for medication; no one is preselected;
each draft is listed once, with who and when."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TABLET, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _start(page, checklist: str = "Medication administration") -> None:
    page.goto("/observe")
    page.get_by_label("Who are you observing?").select_option(label="Priya Patel")
    page.get_by_label("Which checklist?").select_option(label=checklist)
    page.get_by_role("button", name="Start observing").click()
    page.wait_for_url(re.compile(r".*/observe/\d+$"))


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_a_critical_not_yet_switches_the_outcome_and_names_the_item(make_page, demo, viewport):
    page = make_page(viewport)
    sign_in(page, "supervisor@willow.demo")
    _start(page)
    competent = page.get_by_label("Competent", exact=True)
    not_yet = page.get_by_label("Not yet competent", exact=True)
    competent.check()
    critical = page.locator("[data-critical-item]").first
    item_text = critical.get_attribute("data-critical-item")
    critical.get_by_text("Not yet", exact=True).click()
    expect(not_yet).to_be_checked()
    expect(competent).not_to_be_checked()
    expect(competent).to_be_disabled()
    reason = page.locator("#outcome-reason")
    expect(reason).to_contain_text(item_text)
    expect(reason).to_contain_text("Not yet competent")
    assert_accessible(page)
    critical.get_by_text("Met", exact=True).click()  # put right: Competent can be chosen again
    expect(competent).to_be_enabled()
    expect(reason).to_have_text("")


def test_start_page_preselects_no_one_shows_add_ons_for_medication_and_lists_drafts_once(
    make_page, demo
):
    page = make_page(TABLET)
    sign_in(page, "supervisor@willow.demo")
    page.goto("/observe")
    assert page.get_by_label("Who are you observing?").input_value() == "0"
    page.get_by_role("button", name="Start observing").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose who you are observing.")
    checklist = page.get_by_label("Which checklist?")
    add_ons = page.locator("[data-add-ons-for]")
    checklist.select_option(label="Medication administration")
    expect(add_ons).to_be_visible()
    names = [o for o in checklist.locator("option").all_inner_texts() if "Medication" not in o]
    checklist.select_option(label=names[0])
    expect(add_ons).to_be_hidden()
    for _ in range(3):  # the same observation started three times
        _start(page)
    page.goto("/observe")
    drafts = page.locator("h2:has-text('Carry on') + ul > li")
    texts = drafts.all_inner_texts()
    assert len([t for t in texts if "Priya Patel: Medication administration" in t]) == 1
    assert all("Started" in t for t in texts)
    assert_accessible(page)
