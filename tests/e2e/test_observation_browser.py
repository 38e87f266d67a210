"""Observing practice on a tablet, and reading the result on a phone, in a real browser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ChecklistTemplate, Observation, Outcome, Service, User
from app.supervision.observations import record_observation
from tests.e2e.conftest import TABLET, assert_accessible, follow_menu_link, sign_in

pytestmark = pytest.mark.e2e

CRITICAL_ITEM = 2  # "Checks the MAR chart ...", the third item, is critical


def test_supervisor_observes_a_medicines_round_on_a_tablet(app, make_page, demo):
    page = make_page(TABLET)
    sign_in(page, "supervisor@willow.demo")
    follow_menu_link(page, "Observe")
    assert_accessible(page)
    page.get_by_label("Who are you observing?").select_option(label="Priya Patel")
    page.get_by_label("Which checklist?").select_option(label="Medication administration")
    page.get_by_role("button", name="Start observing").click()

    progress = page.locator("#progress")
    expect(progress).to_contain_text("0 of 10")
    assert_accessible(page)
    cards = page.locator(".observe-item")
    expect(cards).to_have_count(10)
    expect(cards.nth(CRITICAL_ITEM)).to_contain_text("Critical")
    for index in range(10):
        choice = "Not yet" if index == CRITICAL_ITEM else "Met"
        cards.nth(index).get_by_text(choice, exact=True).click()
        expect(progress).to_contain_text(
            f"{index + 1} of 10"
        )  # saved by htmx, counted by the server
    critical = cards.nth(CRITICAL_ITEM)
    critical.get_by_text("Add a note").click()
    critical.get_by_role("textbox").fill("Signed the MAR before the dose was taken.")
    critical.get_by_role("textbox").blur()

    # A critical item not met decides the outcome: "Competent" cannot be chosen.
    expect(page.get_by_label("Competent", exact=True)).to_be_disabled()
    expect(page.get_by_label("Not yet competent", exact=True)).to_be_checked()
    page.get_by_label("Development action 1", exact=True).fill(
        "Practise the MAR check with Tom on two morning rounds"
    )
    page.get_by_label("Observe again on").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Finish observation").click()

    expect(page.locator(".outcome")).to_have_text("Not yet competent")
    expect(page.get_by_text("A critical item was not yet met")).to_be_visible()
    expect(
        page.get_by_text("Practise the MAR check with Tom on two morning rounds")
    ).to_be_visible()
    expect(page.get_by_text("Signed the MAR before the dose was taken.")).to_be_visible()
    assert_accessible(page)
    with app.app_context():
        latest = db.session.scalars(select(Observation).order_by(Observation.id.desc())).first()
        assert latest.outcome is Outcome.NOT_YET_COMPETENT
        assert [a.description for a in latest.actions] == [
            "Practise the MAR check with Tom on two morning rounds"
        ]


def _observation_of_priya() -> None:
    willow = db.session.scalars(select(Service).where(Service.name == "Willow House")).one()
    tom = db.session.scalars(select(User).where(User.email == "supervisor@willow.demo")).one()
    priya = db.session.scalars(select(User).where(User.email == "carer@willow.demo")).one()
    template = db.session.scalars(
        select(ChecklistTemplate).where(
            ChecklistTemplate.service_id == willow.id,
            ChecklistTemplate.name == "Moving and handling",
            ChecklistTemplate.is_current,
        )
    ).one()
    items = {str(i.id): {"result": "met"} for i in template.items}
    items[str(template.items[2].id)] = {"result": "not_yet", "note": "Sling size not checked."}
    record_observation(
        tom,
        {
            "staff_id": priya.id,
            "template_id": template.id,
            "items": items,
            "reobserve_on": (date.today() + timedelta(days=14)).isoformat(),
            "actions": [{"description": "Check the sling chart with Tom before each hoist"}],
        },
    )


def test_care_worker_reads_and_acknowledges_an_observation_on_a_phone(app, make_page, demo):
    with app.app_context():
        _observation_of_priya()
    page = make_page()
    sign_in(page, "carer@willow.demo")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Observation: Moving and handling")).click()
    expect(page.locator(".outcome")).to_have_text("Not yet competent")
    expect(page.get_by_text("Check the sling chart with Tom before each hoist")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your comment (optional)").fill("Thanks Tom, I will ask for the chart.")
    page.get_by_role("button", name="I have read this").click()
    expect(page.get_by_role("status")).to_contain_text("Your supervisor can see you have read this")
    expect(page.get_by_text("Read and acknowledged on")).to_be_visible()
    expect(page.get_by_text("Thanks Tom, I will ask for the chart.")).to_be_visible()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
