"""A care worker on a cheap phone: a notification opens the very report it names, "My reports"
is paged with new replies first, long words wrap, and each card opens the report's own page,
whose status agrees with its timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Category, Report, ReportKind, User, utcnow
from app.reports import services
from tests.e2e.conftest import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

SMALL_PHONE = {"width": 320, "height": 640}
LONG_WORD = "Thankyou" * 30  # 240 letters, no space: a pasted link does the same


def _many_reports(app, count: int = 24) -> tuple[int, int]:
    """`count` reports by the Willow carer; the oldest gets a reply with one unbroken word.
    Answers the id of the report with the reply, and how many reports the carer has."""
    with app.app_context():
        carer = db.session.scalar(select(User).where(User.email == "carer@willow.demo"))
        now = utcnow()
        ids = []
        for n in range(count):
            report = Report(
                service_id=carer.service_id,
                reporter_id=carer.id,
                kind=ReportKind.NEAR_MISS,
                category=Category.MEDICATION,
                description=f"Tablets for room {n} were nearly given twice at teatime",
                occurred_on=(now - timedelta(days=count - n)).date(),
                created_at=now - timedelta(days=count - n),
                follow_up={},
            )
            db.session.add(report)
            db.session.flush()
            ids.append(report.id)
        db.session.commit()
        oldest = db.session.get(Report, ids[0])
        services.give_feedback(oldest, thanks=LONG_WORD, learning="We double check at teatime.")
        total = len(
            db.session.scalars(select(Report.id).where(Report.reporter_id == carer.id)).all()
        )
        db.session.remove()
        return ids[0], total


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390px", "320px"])
def test_a_notification_opens_the_report_it_names(make_page, demo, app, viewport):
    report_id, _total = _many_reports(app)
    page = make_page(viewport)
    sign_in(page, "carer@willow.demo")
    page.goto("/notifications")
    note = page.locator(".card", has_text="near miss report about medication").first
    text = note.inner_text()
    assert "Tablets for room 0 were nearly given" in text and "has a thank-you" in text
    note.get_by_role("button", name="Open").click()
    page.wait_for_url(f"**/reports/mine/{report_id}")
    assert "receipt" not in page.url
    assert_accessible(page)
    # The reply comes before the timeline, and the long word wraps.
    replies = page.get_by_role("heading", name="Replies").bounding_box()
    timeline = page.get_by_role("heading", name="What has happened so far").bounding_box()
    assert replies["y"] < timeline["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # Status and timeline agree: the status is the last step done.
    lead = page.locator(".lead").inner_text()
    done = page.locator(".timeline__step--done span:first-child").all_inner_texts()
    assert f"Status: {done[-1]}" in lead


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390px", "320px"])
def test_my_reports_is_paged_new_replies_first_and_cards_open(make_page, demo, app, viewport):
    report_id, total = _many_reports(app)
    page = make_page(viewport)
    sign_in(page, "carer@willow.demo")
    page.goto("/reports/mine")
    assert_accessible(page)
    cards = page.locator(".cards > .card")
    assert cards.count() == 20
    first = cards.first
    assert "New reply" in first.inner_text()  # the oldest report, but it has a new reply
    assert "Tablets for room 0 " in first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert first.bounding_box()["width"] <= viewport["width"]
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    # Tapping anywhere on a card (here: near its bottom, well below the title) opens it.
    second = cards.nth(1)
    second.scroll_into_view_if_needed()
    box = second.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 8)
    page.wait_for_url("**/reports/mine/*")
    assert f"/reports/mine/{report_id}" not in page.url
    page.go_back()
    page.get_by_role("link", name="Next page").click()
    assert page.locator(".cards > .card").count() == min(20, total - 20)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
