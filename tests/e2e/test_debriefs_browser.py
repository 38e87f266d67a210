"""Reflecting on a phone and running a debrief on a tablet, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import PhysicalHarm, Service, User
from tests.debrief_helpers import make_report
from tests.e2e.conftest import TABLET, assert_accessible, follow_menu_link, open_menu, sign_in

pytestmark = pytest.mark.e2e


def test_care_worker_reflects_on_a_shift_in_a_few_taps(make_page, demo):
    page = make_page()
    sign_in(page, "carer@willow.demo")
    actions = 0

    page.get_by_role("link", name="Reflect on a shift").first.click()
    actions += 1
    page.wait_for_url("**/reflect")
    assert page.get_by_label("What helped, what got in the way, what could change").is_checked()
    assert not page.get_by_label("Share with my supervisor").is_checked()
    assert_accessible(page)
    page.get_by_label("What helped?").fill("Tom came as soon as I called.")
    page.get_by_label("What got in the way?").fill("The sling was the wrong size.")
    page.get_by_label("What could change?").fill("Label the slings by room.")
    actions += 3
    page.get_by_role("button", name="Save").click()
    actions += 1

    assert actions <= 6
    page.wait_for_url("**/reflections/*")
    assert "Only you can read it" in page.get_by_role("status").inner_text()
    assert "The sling was the wrong size." in page.locator("main").inner_text()
    assert_accessible(page)


def test_supervisor_runs_a_debrief_on_a_tablet_without_reloading(app, make_page, demo):
    with app.app_context():
        willow = db.session.scalars(select(Service).where(Service.name == "Willow House")).one()
        make_report(
            willow.id,
            harm=PhysicalHarm.MODERATE,
            description="Mr D fell on the stairs at handover and hurt his wrist.",
        )
        names = dict(db.session.execute(select(User.email, User.name)).all())
    page = make_page(viewport=TABLET)
    sign_in(page, "supervisor@willow.demo")
    follow_menu_link(page, "Debriefs")
    assert_accessible(page)
    page.get_by_role("link", name="Start a debrief").click()
    page.get_by_label("Mr D fell on the stairs", exact=False).check()
    for email in ("supervisor@willow.demo", "carer@willow.demo", "manager@willow.demo"):
        page.get_by_label(names[email], exact=False).check()
    assert_accessible(page)
    page.get_by_role("button", name="Start the debrief").click()
    page.wait_for_url("**/debriefs/*")

    assert "not to blame anyone" in page.locator(".ground-rules").inner_text()
    chips = page.get_by_role("list", name="People taking part").get_by_role("listitem")
    assert chips.count() == 3
    assert "Leader" in chips.filter(has_text=names["manager@willow.demo"]).inner_text()
    assert "a leader took part" in page.locator(".leader-attendance").inner_text()

    navigations = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(1))
    page.evaluate("window.debriefMarker = 'no reload'")
    points = {
        "helped": ["Priya stayed with Mr D.", "The first aid kit was where it should be."],
        "hindered": ["The stair light was out.", "Handover was rushed."],
        "could_change": ["Check the stair lights each night.", "Stagger the handover."],
    }
    for key, texts in points.items():
        column = page.locator(f"#prompt-{key}")
        for text in texts:
            column.get_by_label("Add a point").fill(text)
            column.get_by_role("button", name="Add to").click()
            column.locator("li.contribution", has_text=text).wait_for()
    for key, texts in points.items():
        listed = page.locator(f"#list-{key} .contribution__text").all_inner_texts()
        assert listed == texts
    assert page.evaluate("window.debriefMarker") == "no reload"
    assert navigations == []
    assert page.locator("#prompt-could_change").get_by_label("Add a point").input_value() == ""
    # The cursor goes back to the fresh box, ready for the next point.
    expect(page.locator("#could_change-text")).to_be_focused()
    assert_accessible(page)

    # A point added by mistake comes off again, still without a reload.
    page.locator("#list-hindered").get_by_role(
        "button", name="Remove: Handover was rushed."
    ).click()
    page.locator("#list-hindered li.contribution", has_text="Handover was rushed.").wait_for(
        state="detached"
    )
    assert page.locator("#list-hindered .contribution__text").all_inner_texts() == [
        "The stair light was out."
    ]
    assert page.evaluate("window.debriefMarker") == "no reload"


def test_choosing_another_template_shows_its_questions_in_place(make_page, demo):
    page = make_page()
    sign_in(page, "carer@willow.demo")
    page.goto("/reflect")
    page.evaluate("window.reflectMarker = 'no reload'")
    page.get_by_label("Step by step: what happened, how I felt").check()
    page.get_by_label("What were you thinking and feeling?").fill("Nervous at first.")
    assert page.evaluate("window.reflectMarker") == "no reload"
    assert page.get_by_label("What helped?").count() == 0
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/reflections/*")
    assert "Nervous at first." in page.locator("main").inner_text()
    page.get_by_role("link", name="Back to my reflections").click()
    assert_accessible(page)


def test_manager_resolves_an_unsafe_workaround_on_a_small_phone(make_page, demo):
    page = make_page(viewport={"width": 320, "height": 640})
    sign_in(page, "manager@willow.demo")
    open_menu(page)
    page.get_by_role("link", name="Unsafe workarounds").first.click()
    assert_accessible(page)
    card = page.locator("li.card", has_text="sluice room door")
    card.get_by_label("Resolved").check()
    card.get_by_label("What was said, or what changed").fill("Call bells now ring in the sluice.")
    card.get_by_role("button", name="Save").click()
    assert "Marked as resolved" in page.get_by_role("status").inner_text()
    resolved = page.locator("section", has=page.get_by_role("heading", name="Resolved (1)"))
    assert "Call bells now ring in the sluice." in resolved.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("link", name="debrief", exact=True).first.click()
    page.wait_for_url("**/debriefs/*")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
