"""Meetings record that learning was shared; the staff pulse stays anonymous; the board shows
what changed because staff spoke up."""

from __future__ import annotations

from sqlalchemy import inspect, select

from app.extensions import db
from app.governance.services import pulse_results
from app.models import Meeting, PulseParticipation, PulseResponse
from tests.conftest import World, post_form, sign_in

MEETING = {
    "kind": "governance",
    "held_on": "2026-03-05",
    "title": "Quarterly governance",
    "themes": "Restrictive practice themes\nMedication errors at teatime",
    "minutes": "Reviewed the quarter.",
}


def test_supervisor_records_a_meeting_with_attendees_and_learning(app, client, signed_in, world):
    signed_in(world.supervisor)
    response = post_form(
        client,
        "/meetings/new",
        {**MEETING, "attendees": [str(world.staff.id), str(world.manager.id)]},
        page_url="/meetings/new",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Medication errors at teatime" in page and "Carer Willow" in page
    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        assert len(meeting.learning_items) == 2 and len(meeting.attendees) == 2


def test_meeting_form_explains_missing_answers(client, signed_in, world):
    signed_in(world.supervisor)
    body = post_form(
        client,
        "/meetings/new",
        {"kind": "team", "held_on": "", "title": "", "minutes": ""},
        page_url="/meetings/new",
    ).get_data(as_text=True)
    assert "Enter the date of the meeting." in body and "Add the minutes." in body


def test_future_meetings_are_refused(client, signed_in, world):
    signed_in(world.supervisor)
    body = post_form(
        client, "/meetings/new", {**MEETING, "held_on": "2999-01-01"}, page_url="/meetings/new"
    ).get_data(as_text=True)
    assert "cannot be in the future" in body


def test_staff_read_meetings_but_cannot_record_them(client, signed_in, world):
    signed_in(world.staff)
    assert client.get("/meetings").status_code == 200
    assert client.get("/meetings/new").status_code == 403


def test_meetings_of_another_service_are_not_found(app, world):
    supervisor, other = app.test_client(), app.test_client()
    sign_in(supervisor, "supervisor@willow.example.org")
    location = post_form(supervisor, "/meetings/new", MEETING, page_url="/meetings/new").headers[
        "Location"
    ]
    sign_in(other, "manager@riverside.example.org")
    assert other.get(location).status_code == 404
    assert "Quarterly governance" not in other.get("/meetings").get_data(as_text=True)


ANSWERS = {"safe_to_report": "4", "hear_back": "3", "talk_without_blame": "5"}


def test_pulse_answers_keep_no_link_to_the_person(app, client, signed_in, world):
    signed_in(world.staff)
    assert post_form(client, "/pulse", ANSWERS, page_url="/pulse").status_code == 200
    with app.app_context():
        columns = {c.key for c in inspect(PulseResponse).columns}
        assert columns == {
            "id",
            "service_id",
            "month",
            "safe_to_report",
            "hear_back",
            "talk_without_blame",
        }
        response = db.session.scalars(select(PulseResponse)).one()
        assert len(response.id) == 36  # a random id, not a sequence that mirrors participation
        participation = db.session.scalars(select(PulseParticipation)).one()
        assert participation.user_id == world.staff.id


def test_pulse_is_asked_at_most_monthly(app, client, signed_in, world):
    signed_in(world.staff)
    post_form(client, "/pulse", ANSWERS, page_url="/pulse")
    again = post_form(client, "/pulse", {**ANSWERS, "hear_back": "1"}, page_url="/pulse")
    assert "You have answered this month's pulse" in again.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(PulseResponse)).all()) == 1


def test_pulse_needs_every_answer(client, signed_in, world):
    signed_in(world.staff)
    body = post_form(client, "/pulse", {"safe_to_report": "4"}, page_url="/pulse").get_data(
        as_text=True
    )
    assert body.count("Choose an answer.") >= 2


def test_pulse_results_show_only_with_five_answers(app, world):
    with app.app_context():
        people = [
            World.person(None, f"p{i}@willow.example.org", world.staff.role, world.willow)
            for i in range(5)
        ]
        db.session.commit()
        emails = [p.email for p in people]
    for count, email in enumerate(emails, start=1):
        client = app.test_client()
        sign_in(client, email)
        post_form(client, "/pulse", ANSWERS, page_url="/pulse")
        with app.app_context():
            quarter = pulse_results((world.willow.id,))[0]
            assert quarter.answers == count
            assert (quarter.averages is None) == (count < 5)
    with app.app_context():
        assert pulse_results((world.willow.id,))[0].averages == {
            "safe_to_report": 4.0,
            "hear_back": 3.0,
            "talk_without_blame": 5.0,
        }


def test_board_is_visible_to_staff_and_written_by_managers(client, signed_in, world, app):
    manager = app.test_client()
    sign_in(manager, "manager@willow.example.org")
    post_form(
        manager,
        "/you-said-we-did",
        {
            "you_said": "Handover runs late.",
            "we_did": "Handover moved to 7.45.",
            "changed_on": "2026-02-01",
        },
        page_url="/you-said-we-did",
    )
    signed_in(world.staff)
    page = client.get("/you-said-we-did").get_data(as_text=True)
    assert "Handover moved to 7.45." in page and "Add to the board" not in page
    refused = post_form(
        client,
        "/you-said-we-did",
        {"you_said": "x", "we_did": "y", "changed_on": "2026-02-01"},
        page_url="/you-said-we-did",
    )
    assert refused.status_code == 403
