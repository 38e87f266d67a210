"""One set of rules for a report's body (app/reports/schemas.py): the /report form and the
offline API refuse the same bad answer with the same message, under the same field, and each
keeps its own dialect (the form's strings, the API's strict JSON)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from html import escape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Report, User
from app.models.base import UK
from app.reports import services
from tests.conftest import post_form
from tests.functional.test_offline_api import csrf_header

BASE = {
    "description": "The hoist battery ran flat mid-transfer.",
    "kind": "near_miss",
    "category": "equipment",
}


def _in_two_days(fmt: str) -> str:
    return (datetime.now(UK) + timedelta(days=2)).strftime(fmt)


def _too_long(label: str, length: int, limit: int) -> str:
    return (
        f"{label} can be up to {limit:,} characters. It has {length:,}: "
        f"please shorten it by {length - limit:,} and send it again."
    )


# (what is sent besides BASE, the field it is refused under, what the person reads)
BAD_ANSWERS = {
    "nothing said": (
        {"description": "   "},
        "description",
        "Tell us what happened, in a few words.",
    ),
    "too much said": (
        {"description": "x" * 5001},
        "description",
        _too_long("What happened", 5001, 5000),
    ),
    "a kind not offered": (
        {"kind": "good_care"},
        "kind",
        "Choose whether it reached the person.",
    ),
    "a made-up category": ({"category": "bingo"}, "category", "Choose what kind of event it was."),
    "an incident without harm": (
        {"kind": "incident"},
        "physical_harm",
        "Choose whether anyone was hurt.",
    ),
    "a made-up harm": (
        {"kind": "incident", "physical_harm": "a_bit"},
        "physical_harm",
        "Choose whether anyone was hurt.",
    ),
    "a made-up upset": (
        {"psychological_harm": "very"},
        "psychological_harm",
        "Choose one of the answers.",
    ),
    "a made-up shift": ({"time_bracket": "lunch"}, "time_bracket", "Choose when it happened."),
    "a time in the future": (
        {"occurred_at": _in_two_days("%Y-%m-%dT%H:%M")},
        "occurred_at",
        "The time cannot be in the future.",
    ),
    "a time that never was": (
        {"occurred_at": "2026-02-30T10:00"},
        "occurred_at",
        "Enter the date and time, like 26/11/2026 14:30.",
    ),
    "a day in the future": (
        {"time_bracket": "night_shift", "occurred_on": _in_two_days("%Y-%m-%d")},
        "occurred_on",
        "The day cannot be in the future.",
    ),
    "a day that never was": (
        {"time_bracket": "night_shift", "occurred_on": "2026-02-30"},
        "occurred_on",
        "Enter the day, like 26/11/2026.",
    ),
    "a long place": ({"location": "L" * 201}, "location", _too_long("Where", 201, 200)),
    "a long reference": (
        {"person_reference": "R" * 41},
        "person_reference",
        _too_long("The reference", 41, 40),
    ),
    "a long first action": (
        {"immediate_action": "a" * 2001},
        "immediate_action",
        _too_long("What you did straight away", 2001, 2000),
    ),
    "a made-up follow-up answer": (
        {"category": "medication", "follow_up_error_type": "made_up"},
        "follow_up_error_type",
        "Choose one of the answers.",
    ),
    "a long follow-up answer": (
        {"category": "behaviour", "follow_up_trigger": "t" * 501},
        "follow_up_trigger",
        _too_long("This answer", 501, 500),
    ),
}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


@pytest.mark.parametrize("answers, field, message", BAD_ANSWERS.values(), ids=BAD_ANSWERS)
def test_the_form_and_the_api_refuse_a_bad_answer_alike(
    app, client, signed_in, world, answers, field, message
):
    signed_in(world.staff)
    page = post_form(client, "/report", {**BASE, **answers}, page_url="/report")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert set(re.findall(r'id="([a-z_]+)-error"', html)) == {field}
    assert f'id="{field}-error">{escape(message, quote=False)}<' in html

    body = {**BASE, **answers, "client_id": str(uuid.uuid4())}
    response = client.post("/api/v1/reports", json=body, headers=csrf_header(client))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: [message]}
    assert _count(app) == 0


def test_hidden_characters_are_refused_alike_by_the_service_and_the_api(app, signed_in, world):
    """A browser's NUL never reaches the form's view (app/inputs.py removes it), but the
    rule holds for every way in, with one message."""
    hidden = "Remove the hidden characters from this answer."
    client = signed_in(world.staff)
    body = {**BASE, "client_id": str(uuid.uuid4()), "location": "Lou\x00nge"}
    response = client.post("/api/v1/reports", json=body, headers=csrf_header(client))
    assert response.get_json()["errors"] == {"location": [hidden]}
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        with pytest.raises(services.ReportInvalid) as refused:
            services.submit_report(staff, {**BASE, "location": "Lou\x00nge"})
    assert refused.value.errors == {"location": [hidden]}
    assert _count(app) == 0


# ---- each dialect keeps its own ways --------------------------------------------------


def test_the_form_reads_its_strings_a_ticked_box_a_blank_box_and_a_time_with_seconds(
    app, client, signed_in, world
):
    signed_in(world.staff)
    earlier = (datetime.now(UK) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        client,
        "/report",
        {
            **BASE,
            "kind": "incident",
            "physical_harm": "none",
            "psychological_harm": "",  # a select left on "Not sure or not asked"
            "occurred_at": f"{earlier}:00",  # some browsers send seconds
            "location": "  ",
            "person_reference": " wh  12 ",
            "follow_up_police_involved": "no",
            "follow_up_made_up": "ignored: not a question of this kind of event",
        },
        page_url="/report",
    )
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.occurred_at.astimezone(UK).strftime("%Y-%m-%dT%H:%M") == earlier
        assert report.location is None and report.psychological_harm is None
        assert report.person_reference == "WH 12"
        assert report.follow_up == {"police_involved": "no"}
        assert not report.anonymous


@pytest.mark.parametrize("ticked", ["y", "on", "true", "yes", "1"])
def test_a_ticked_box_sends_the_form_without_a_name(app, client, signed_in, world, ticked):
    signed_in(world.staff)
    page = post_form(client, "/report", {**BASE, "anonymous": ticked}, page_url="/report")
    assert page.status_code == 200 and 'id="receipt-code"' in page.get_data(as_text=True)


def test_the_api_stays_strict_json(app, signed_in, world):
    """What the form may send as strings, the API refuses: it has always taken JSON types,
    unknown fields are refused, and a blank choice is a bad answer, not a missing one."""
    client = signed_in(world.staff)

    def errors_for(**changes):
        body = {**BASE, "client_id": str(uuid.uuid4()), **changes}
        response = client.post("/api/v1/reports", json=body, headers=csrf_header(client))
        assert response.status_code == 400, response.get_json()
        return response.get_json()["errors"]

    assert errors_for(anonymous="y") == {"anonymous": ["Must be true or false."]}
    assert "csrf_token" in errors_for(csrf_token="x")
    assert errors_for(kind="") == {"kind": ["Choose whether it reached the person."]}
    assert errors_for(occurred_at="2026-11-26T14:30:00") == {
        "occurred_at": ["Enter the date and time, like 26/11/2026 14:30."]
    }
    assert _count(app) == 0


def test_a_follow_up_object_and_the_forms_fields_are_one_body(app, signed_in, world):
    """The outbox sends the form's flat fields; other devices a `follow_up` object. Either way
    the report keeps the same answers, and a resend in the other shape is the same report."""
    client = signed_in(world.staff)
    client_id = str(uuid.uuid4())
    nested = {
        **BASE,
        "category": "falls",
        "client_id": client_id,
        "follow_up": {"witnessed": "no", "not_a_falls_question": "left out"},
    }
    first = client.post("/api/v1/reports", json=nested, headers=csrf_header(client))
    assert first.status_code == 201, first.get_json()
    flat = {k: v for k, v in nested.items() if k != "follow_up"}
    flat.update(follow_up_witnessed="no", follow_up_not_a_falls_question="left out")
    again = client.post("/api/v1/reports", json=flat, headers=csrf_header(client))
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    with app.app_context():
        assert db.session.scalars(select(Report.follow_up)).one() == {"witnessed": "no"}
