"""A PBS or risk assessment review links the debriefs it drew on (issue 6), and the
restrictive-practice answers on the report form prefill the restriction record."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Debrief, PbsReview, Report
from app.models.debriefs import debrief_report
from app.safeguarding.services import SafeguardingInvalid, record_review
from tests.conftest import post_form
from tests.functional.test_safeguarding import _record, _report


def _debrief(app, world, service, summary, report_id=None) -> int:
    with app.app_context():
        debrief = Debrief(
            service_id=service.id,
            held_on=date.today() - timedelta(days=1),
            facilitator_id=world.manager.id,
            created_by_id=world.manager.id,
            learning_summary=summary,
        )
        db.session.add(debrief)
        db.session.flush()
        if report_id:
            db.session.execute(
                debrief_report.insert().values(debrief_id=debrief.id, report_id=report_id)
            )
        db.session.commit()
        return debrief.id


def _ticked(html: str, debrief_id: int) -> bool:
    """Whether the debrief's checkbox comes ticked."""
    tag = re.search(rf'<input[^>]*name="debrief_ids"[^>]*value="{debrief_id}"[^>]*>', html)
    assert tag, f"no checkbox for debrief {debrief_id}"
    return "checked" in tag.group(0)


def _answers(**extra):
    return {
        "kind": "pbs_plan",
        "reviewed_on": date.today().isoformat(),
        "next_review_on": (date.today() + timedelta(days=90)).isoformat(),
        "what_changed": "Door alarm instead of a locked door",
        **extra,
    }


def test_a_pbs_review_links_the_debriefs_it_drew_on_and_the_register_shows_them(
    app, client, signed_in, world
):
    report_id = _report(app, world)
    _record(app, world, review_needed=True, report_id=report_id)
    about_them = _debrief(app, world, world.willow, "Night staff agreed a door alarm", report_id)
    other = _debrief(app, world, world.willow, "Handover checklist for the weekend")
    elsewhere = _debrief(app, world, world.riverside, "A Riverside debrief")
    signed_in(world.manager)
    url = f"/safeguarding/services/{world.willow.id}/people/WH-9/reviews/new"
    form = client.get(url).text
    assert "Debriefs this review drew on" in form
    assert "Night staff agreed a door alarm" in form
    assert "Handover checklist for the weekend" in form
    assert "A Riverside debrief" not in form
    assert _ticked(form, about_them) and not _ticked(form, other)
    response = post_form(
        client,
        url,
        _answers(report_ids=str(report_id), debrief_ids=[str(about_them), str(other)]),
        page_url=url,
        follow_redirects=True,
    )
    assert "The review is recorded" in response.text
    assert "Drew on 2 debriefs" in response.text
    assert f"/debriefs/{about_them}" in response.text
    with app.app_context():
        review = db.session.scalars(select(PbsReview)).one()
        assert sorted(d.id for d in review.debriefs) == sorted([about_them, other])
    assert elsewhere not in (about_them, other)


def test_a_review_cannot_link_a_debrief_from_another_service(app, client, signed_in, world):
    _record(app, world)
    elsewhere = _debrief(app, world, world.riverside, "A Riverside debrief")
    signed_in(world.manager)
    url = f"/safeguarding/services/{world.willow.id}/people/WH-9/reviews/new"
    response = post_form(client, url, _answers(debrief_ids=str(elsewhere)), page_url=url)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PbsReview)) == 0


def test_the_review_service_refuses_debriefs_of_another_service(app, world):
    elsewhere = _debrief(app, world, world.riverside, "A Riverside debrief")
    with app.app_context():
        manager = db.session.get(type(world.manager), world.manager.id)
        with pytest.raises(SafeguardingInvalid) as error:
            record_review(
                manager,
                world.willow.id,
                "WH-9",
                {
                    "kind": "pbs_plan",
                    "reviewed_on": date.today(),
                    "next_review_on": date.today() + timedelta(days=30),
                    "what_changed": "Nothing new",
                    "debrief_ids": [elsewhere],
                },
            )
        assert "debrief_ids" in error.value.errors


# -- the report form's restrictive practice answers prefill the record --------------------


def test_a_restriction_reported_through_the_form_prefills_the_record(app, world):
    from tests.functional.test_invitations import signed_in_client

    staff = signed_in_client(app, world.staff)
    follow_up = staff.get("/report/follow-up?category=restrictive_practice").get_data(as_text=True)
    for name in ("restriction_type", "duration", "in_plan", "tried_first"):
        assert f'name="follow_up_{name}"' in follow_up
    assert 'value="informal_or_unplanned_restriction"' in follow_up
    sent = post_form(
        staff,
        "/report",
        {
            "description": "Locked the garden door so WH-21 could not go out after tea",
            "kind": "incident",
            "category": "restrictive_practice",
            "physical_harm": "none",
            "person_reference": "WH-21",
            "follow_up_restriction_type": "informal_or_unplanned_restriction",
            "follow_up_duration": "1 hour 10 minutes",
            "follow_up_in_plan": "no",
            "follow_up_tried_first": "Asked her to wait for a member of staff",
        },
        page_url="/report",
    )
    assert sent.status_code == 302
    with app.app_context():
        report_id = db.session.scalar(select(Report.id))
    manager = signed_in_client(app, world.manager)
    form = manager.get(f"/safeguarding/restrictions/new?report_id={report_id}").get_data(
        as_text=True
    )
    assert 'value="WH-21"' in form
    assert '<option selected value="informal">' in form
    assert 'value="70"' in form  # minutes
    assert re.search(r'<option selected value="no">', form)
    assert "Asked her to wait for a member of staff" in form


def test_every_restriction_the_report_form_offers_maps_to_a_record_type():
    from app.models import Category
    from app.reports.services import FOLLOW_UPS
    from app.safeguarding.services import REPORT_RESTRICTION_TYPES

    questions = {q.name: q for q in FOLLOW_UPS[Category.RESTRICTIVE_PRACTICE]}
    question = questions["restriction_type"]
    assert {value for value, _ in question.choices} == set(REPORT_RESTRICTION_TYPES)
    assert set(questions) == {
        "restriction_type",
        "position",
        "duration",
        "in_plan",
        "tried_first",
        "police_involved",
    }
    assert {value for value, _ in questions["in_plan"].choices} >= {"yes", "no"}


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("5", 5),
        ("5 minutes", 5),
        ("about 20 mins", 20),
        ("1 hour 20 minutes", 80),
        ("1.5 hours", 90),
        ("2h", 120),
        ("a while", None),
        ("", None),
    ],
)
def test_the_duration_typed_on_the_report_becomes_minutes(typed, minutes):
    from app.safeguarding.services import duration_in_minutes

    assert duration_in_minutes(typed) == minutes
