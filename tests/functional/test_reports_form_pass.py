"""The report form after the tired-user pass (issue 25): long text refused whole, never cut;
the kinds of event most reported first; a restrictive practice review leads to its record."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Report, User, utcnow
from app.reports.categories import categories_for_form
from app.reports.services import submit_report
from tests.conftest import post_form
from tests.functional.test_offline_api import csrf_header

NEAR_MISS = {"kind": "near_miss", "category": "medication"}


def _report(client, **answers):
    return post_form(client, "/report", {**NEAR_MISS, **answers}, page_url="/report")


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def _first_and_more(html: str) -> tuple[list[str], list[str]]:
    """The category values shown before "More", and those behind it, in page order."""
    group = html[html.index('id="category-group"') :]
    group = group[: group.index("</fieldset>")]
    before, _, after = group.partition("data-choices-more")
    values = re.compile(r'name="category" value="([a-z_]+)"')
    return values.findall(before), values.findall(after)


# ---- long text: refused whole, never cut ------------------------------------------------


def test_what_happened_over_the_limit_is_refused_with_the_figures_and_kept_whole(
    app, client, signed_in, world
):
    signed_in(world.staff)
    too_long = ("The hoist sling was frayed. " * 179)[:5004] + "End."
    assert len(too_long) == 5008
    response = _report(client, description=too_long)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "What happened can be up to 5,000 characters. It has 5,008: please shorten it by 8" in body
    )
    assert too_long[-60:] in body  # all of it is back in the box to shorten, not cut
    assert ' maxlength="5000"' not in body  # no browser cuts a paste short either
    assert "You can enter up to 5,000 characters." in body
    assert _count(app) == 0

    exactly = "x" * 5000
    assert _report(client, description=exactly).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Report.description)).one() == exactly


def test_what_was_done_straight_away_over_the_limit_is_refused(app, client, signed_in, world):
    signed_in(world.staff)
    response = _report(client, description="Door wedged open", immediate_action="y" * 2001)
    body = response.get_data(as_text=True)
    assert "What you did straight away can be up to 2,000 characters. It has 2,001" in body
    assert _count(app) == 0


def test_the_api_refuses_long_text_whole_and_says_why(app, signed_in, world):
    """The outbox gets a 4xx naming the field, keeps the draft and shows the message; 400, as
    for every answer to fix (422 means the draft's id was used with other answers)."""
    client = signed_in(world.staff)
    body = {**NEAR_MISS, "client_id": str(uuid.uuid4()), "description": "z" * 5001}
    response = client.post("/api/v1/reports", json=body, headers=csrf_header(client))
    assert response.status_code == 400
    assert response.get_json()["errors"]["description"] == [
        "What happened can be up to 5,000 characters. It has 5,001: please shorten it by 1 "
        "and send it again."
    ]  # the form's words: one ReportBody for both
    body = {**body, "description": "Door wedged open", "immediate_action": "y" * 2001}
    response = client.post("/api/v1/reports", json=body, headers=csrf_header(client))
    assert response.status_code == 400
    assert "immediate_action" in response.get_json()["errors"]
    assert _count(app) == 0


# ---- most used kinds of event first ------------------------------------------------------


def _reports_of(app, user_id: int, category: str, times: int, days_ago: int = 1) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for n in range(times):
            submit_report(user, {**NEAR_MISS, "category": category, "description": f"{n}"})
        db.session.execute(
            update(Report)
            .where(Report.category == category)
            .values(created_at=utcnow() - timedelta(days=days_ago))
        )
        db.session.commit()


def test_the_form_shows_the_usual_five_first_when_nothing_was_reported(client, signed_in, world):
    signed_in(world.staff)
    first, more = _first_and_more(client.get("/report").get_data(as_text=True))
    assert first == ["falls", "medication", "behaviour", "pressure_care", "missed_visit"]
    assert more[-1] == "other" and "restrictive_practice" in more
    assert len(first) + len(more) == 14


def test_the_services_most_reported_kinds_of_the_last_90_days_come_first(
    app, client, signed_in, world
):
    _reports_of(app, world.staff.id, "staffing", 3)
    _reports_of(app, world.staff.id, "equipment", 2)
    _reports_of(app, world.staff.id, "nutrition", 4, days_ago=120)  # too long ago
    _reports_of(app, world.riverside_staff.id, "infection", 5)  # another service's
    signed_in(world.staff)
    first, more = _first_and_more(client.get("/report").get_data(as_text=True))
    assert first == ["staffing", "equipment", "falls", "medication", "behaviour"]
    assert {"nutrition", "infection", "pressure_care"} <= set(more)
    with app.app_context():  # and never more than five first, "Other" never among them
        _reports_of(app, world.staff.id, "other", 9)
        shown, _rest = categories_for_form(world.willow.id)
        assert len(shown) == 5 and "other" not in [c.value for c in shown]


def test_the_order_is_kept_a_few_minutes_then_follows_new_reports(
    app, client, signed_in, world, monkeypatch
):
    from app.reports import categories

    now = [1000.0]
    monkeypatch.setattr(categories, "_clock", lambda: now[0])
    signed_in(world.staff)
    usual = ["falls", "medication", "behaviour", "pressure_care", "missed_visit"]
    assert _first_and_more(client.get("/report").get_data(as_text=True))[0] == usual
    _reports_of(app, world.staff.id, "staffing", 3)
    # Within the kept time the buttons stay where they were (every kind is still there).
    now[0] += app.config["CATEGORY_ORDER_SECONDS"] - 1
    first, more = _first_and_more(client.get("/report").get_data(as_text=True))
    assert first == usual and "staffing" in more
    now[0] += 2
    first, _more = _first_and_more(client.get("/report").get_data(as_text=True))
    assert first == ["staffing", *usual[:4]]


def test_with_no_kept_time_the_order_follows_each_new_report(
    app, client, signed_in, world, monkeypatch
):
    monkeypatch.setitem(app.config, "CATEGORY_ORDER_SECONDS", 0)
    signed_in(world.staff)
    assert _first_and_more(client.get("/report").get_data(as_text=True))[0][0] == "falls"
    _reports_of(app, world.staff.id, "equipment", 2)
    assert _first_and_more(client.get("/report").get_data(as_text=True))[0][0] == "equipment"


def test_a_kind_chosen_from_more_stays_open_after_an_error(client, signed_in, world):
    signed_in(world.staff)
    body = _report(client, description="", category="restrictive_practice").get_data(as_text=True)
    assert "Tell us what happened" in body
    assert re.search(r"<details[^>]*data-choices-more[^>]* open", body)
    assert 'value="restrictive_practice" checked' in body
    body = _report(client, description="", category="falls").get_data(as_text=True)
    assert not re.search(r"<details[^>]*data-choices-more[^>]* open", body)


def test_the_harm_question_comes_straight_after_did_it_reach_the_person(client, signed_in, world):
    signed_in(world.staff)
    body = client.get("/report").get_data(as_text=True)
    order = [
        body.index(marker)
        for marker in (
            'id="kind-group"',
            'id="physical_harm-group"',
            'id="category-group"',
            "When?",
        )
    ]
    assert order == sorted(order)


# ---- what next after a restrictive practice report ---------------------------------------


def test_a_restrictive_practice_review_offers_its_restriction_record(app, client, signed_in, world):
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        restraint = submit_report(
            staff,
            {
                "kind": "incident",
                "category": "restrictive_practice",
                "physical_harm": "none",
                "description": "Held Mr B's arm to stop him leaving the bath.",
            },
        ).report.id
        fall = submit_report(staff, {**NEAR_MISS, "description": "Wet floor"}).report.id
    signed_in(world.manager)
    page = client.get(f"/reports/{restraint}").get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+)">Complete the restriction record</a>', page)
    assert link and "Start a debrief" in page
    assert link.group(1) == f"/safeguarding/restrictions/new?report_id={restraint}"
    record_form = client.get(link.group(1)).get_data(as_text=True)
    assert "Record a restriction" in record_form and "leaving the bath" in record_form
    assert "Complete the restriction record" not in client.get(f"/reports/{fall}").get_data(
        as_text=True
    )
