"""Switching a reflection's question set keeps what was typed, and the sets have plain names."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

SMALL_PHONE = {"width": 320, "height": 640}
STEP_BY_STEP = "Step by step: what happened, how I felt"
QUICK = "Quick: what helped, what got in the way"


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390px", "320px"])
def test_switching_question_set_and_back_keeps_the_text(make_page, demo, viewport):
    page = make_page(viewport)
    sign_in(page, "carer@willow.demo")
    page.goto("/reflect")
    assert_accessible(page)
    text = page.get_by_role("main").inner_text()
    assert "Gibbs" not in text and "So what?" not in text
    page.get_by_label("What helped?").fill("Sam stayed calm and talked me through it.")
    page.get_by_label(STEP_BY_STEP).check()
    expect(page.get_by_label("What were you thinking and feeling?")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="is kept")).to_be_visible()
    page.get_by_label("What were you thinking and feeling?").fill("Nervous at first.")
    page.get_by_label(QUICK).check()
    expect(page.get_by_label("What helped?")).to_have_value(
        "Sam stayed calm and talked me through it."
    )
    page.get_by_label(STEP_BY_STEP).check()
    expect(page.get_by_label("What were you thinking and feeling?")).to_have_value(
        "Nervous at first."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Nervous at first.")
    # Only the set showing is saved: the other set's answer is not in the reflection.
    assert "Sam stayed calm" not in page.get_by_role("main").inner_text()
