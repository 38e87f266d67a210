"""A staff member's informal restriction report becomes a complete record, in a real browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Category, Report, ReportKind, User
from app.models.base import utcnow
from tests.e2e.conftest import TABLET, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _staff_reports_an_informal_restriction(app) -> None:
    """The report form is built elsewhere: store the carer's report as it would."""
    with app.app_context():
        carer = db.session.scalars(select(User).where(User.email == "carer@willow.demo")).one()
        happened = utcnow() - timedelta(hours=3)
        db.session.add(
            Report(
                service_id=carer.service_id,
                reporter_id=carer.id,
                kind=ReportKind.INCIDENT,
                category=Category.RESTRICTIVE_PRACTICE,
                description="We locked the garden door so WH-21 could not go out after tea.",
                occurred_at=happened,
                occurred_on=happened.date(),
                person_reference="WH-21",
                follow_up={
                    "restriction_type": "informal_or_unplanned_restriction",
                    "duration": "25 minutes",
                    "in_plan": "no",
                    "tried_first": "Asked her to wait for a member of staff",
                },
            )
        )
        db.session.commit()
        db.session.remove()


def test_manager_completes_an_informal_restriction_and_links_best_interests(app, make_page, demo):
    _staff_reports_an_informal_restriction(app)
    page = make_page()
    sign_in(page, "manager@willow.demo")
    assert "not been escalated" in page.locator(".sg-panel").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Open safeguarding").click()
    assert_accessible(page)
    page.get_by_role("link", name="Complete the restrictive practice record").click()
    assert page.get_by_label("Person's reference").input_value() == "WH-21"
    assert page.get_by_label("What kind of restriction?").input_value() == "informal"
    assert page.get_by_label("How long did it last? (minutes)").input_value() == "25"
    assert_accessible(page)
    page.get_by_label("Was the person's capacity considered?").select_option("lacks_capacity")
    page.get_by_label("A debrief was offered to staff").check()
    page.get_by_label("The PBS plan or risk assessment needs a review").check()
    page.get_by_role("button", name="Save the record").click()

    flags = page.locator(".sg-flags").inner_text()
    assert "Informal restriction: not in any plan" in flags
    assert "Capacity lacking and no best-interests decision recorded" in flags
    assert_accessible(page)

    page.get_by_role("link", name="Record a best-interests decision").click()
    assert page.get_by_label("Person's reference").input_value() == "WH-21"
    page.get_by_label("What is the decision?").fill("Door alarm in the evening, not a lock")
    page.get_by_label("What did the capacity assessment find?").fill(
        "She cannot weigh up the risk of the main road"
    )
    page.get_by_label("Could the person regain capacity? Can the decision wait?").fill(
        "Unlikely to regain it; it cannot wait"
    )
    page.get_by_label("How did the person take part?").fill("We walked the garden together")
    page.get_by_label("Their past and present wishes, feelings, beliefs and values").fill(
        "She has always gardened in the evening"
    )
    page.get_by_label("Who was consulted?").fill("Her son (LPA for health and welfare), GP")
    page.get_by_label("Which least restrictive option was chosen?").fill(
        "An alarm on the side gate; the garden door stays open"
    )
    page.get_by_label("Review the decision by").fill(f"{utcnow() + timedelta(days=150):%Y-%m-%d}")
    assert_accessible(page)
    page.get_by_role("button", name="Save the decision").click()

    assert "recorded and linked" in page.get_by_role("status").first.inner_text()
    assert "Capacity lacking" not in page.locator("main").inner_text()
    assert "Informal restriction: not in any plan" in page.locator(".sg-flags").inner_text()

    page.get_by_role("link", name="Register for WH-21").click()
    register = page.locator("main").inner_text()
    assert "Informal: a restriction not in any plan." in register
    assert "Door alarm in the evening, not a lock" in register
    assert "Review needed: 1 restriction says the PBS plan" in register
    assert page.get_by_role("link", name="Record a review").is_visible()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the register scrolls sideways on a phone ({width}px)"


def test_decision_list_follows_the_person_reference_on_a_tablet(make_page, demo):
    page = make_page(TABLET)
    sign_in(page, "supervisor@willow.demo")
    page.goto("/safeguarding/restrictions/new")
    decisions = page.get_by_label("Best-interests decision")
    assert decisions.locator("option").count() == 1
    page.get_by_label("Person's reference").fill("WH-07")
    page.get_by_label("Person's reference").press("Tab")
    expect(page.locator("#best_interests_id option")).not_to_have_count(1)
    assert "Brief seated holds" in page.get_by_label("Best-interests decision").inner_text()
    assert_accessible(page)
