"""The report form on a cheap phone at the end of a shift (issue 25, "What matters first").

The harm question sits straight after "It reached someone"; the kinds of event most
reported come first with the rest one tap away behind "More"; long text shows a live count
and is refused whole, never cut short.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}
SIZES = [pytest.param(PHONE, id="390px"), pytest.param(NARROW, id="320px")]


def _open_form(make_page, viewport):
    page = make_page(viewport)
    sign_in(page, "carer@willow.demo")
    page.goto("/report")
    return page


def _no_sideways_scroll(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", SIZES)
def test_the_harm_question_is_straight_after_it_reached_someone(make_page, demo, viewport):
    page = _open_form(make_page, viewport)
    reached = page.get_by_label("It reached someone")
    reached.check()
    harm = page.locator("#physical_harm-group")
    expect(harm).to_be_visible()
    gap = harm.bounding_box()["y"] - reached.bounding_box()["y"]
    assert 0 < gap < 150, f"the harm question is {gap:.0f} px below the answer"
    # On a phone it is on the same screen as the answer that needs it.
    assert harm.bounding_box()["y"] - page.evaluate("window.scrollY") < viewport["height"]
    page.get_by_label("Near miss – caught in time").check()
    expect(harm).to_be_hidden()  # a near miss did not reach anyone: nothing to ask
    _no_sideways_scroll(page, viewport)


@pytest.mark.parametrize("viewport", SIZES)
def test_the_most_used_kinds_come_first_and_the_rest_are_behind_more(make_page, demo, viewport):
    page = _open_form(make_page, viewport)
    group = page.locator("#category-group")
    shown = group.locator("> .choice input[type=radio]")
    assert shown.count() == 5
    more = group.get_by_text("More kinds of event (9)")
    restraint = page.get_by_label("Restrictive practice")
    expect(restraint).to_be_hidden()
    assert_accessible(page)

    # With the keyboard alone: to "More", open it, choose, and the choice stays in view.
    more.focus()
    page.keyboard.press("Enter")
    expect(restraint).to_be_visible()
    restraint.focus()
    page.keyboard.press("Space")
    assert restraint.is_checked()
    page.get_by_role("button", name="Send report").click()  # nothing else answered
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Restrictive practice")).to_be_visible()
    assert page.get_by_label("Restrictive practice").is_checked()
    assert_accessible(page)
    _no_sideways_scroll(page, viewport)


def test_a_kind_from_more_is_sent_without_javascript(make_page, demo):
    page = make_page(NARROW, java_script_enabled=False)
    sign_in(page, "carer@willow.demo")
    page.goto("/report")
    page.get_by_label("What happened?").fill("The back door was locked to stop Mr B going out.")
    page.get_by_label("It reached someone").check()
    page.get_by_label("None – no harm").check()
    page.get_by_text("More kinds of event").click()
    page.get_by_label("Restrictive practice").check()
    page.get_by_role("button", name="Send report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us."


@pytest.mark.parametrize("viewport", SIZES)
def test_long_text_shows_a_live_count_and_is_refused_whole(make_page, demo, viewport):
    page = _open_form(make_page, viewport)
    box = page.get_by_label("What happened?")
    count = page.locator(".field:has(#description) .char-count[aria-hidden=true]")
    spoken = page.locator(".field:has(#description) [aria-live=polite]")
    expect(count).to_have_text("5,000 characters left")
    box.fill("Found the hoist sling frayed.")
    expect(count).to_have_text("4,971 characters left")
    page.wait_for_timeout(1000)
    expect(spoken).to_have_text("")  # far from the limit: nothing read out on every key

    box.fill("x" * 4700)
    expect(count).to_have_text("300 characters left")
    expect(spoken).to_have_text("300 characters left")  # near it: read out once typing pauses

    too_long = "y" * 4990 + " the end of it"  # a long paste: 5,004 characters, none cut
    box.fill(too_long)
    assert len(box.input_value()) == 5004
    expect(count).to_have_text("4 characters too many")
    expect(spoken).to_have_text("4 characters too many")
    assert_accessible(page)
    _no_sideways_scroll(page, viewport)

    page.get_by_label("Near miss – caught in time").check()
    page.get_by_label("Falls", exact=True).check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "What happened can be up to 5,000 characters. It has 5,004: please shorten it by 4"
    )
    assert page.get_by_label("What happened?").input_value() == too_long
    expect(count).to_have_text("4 characters too many")
