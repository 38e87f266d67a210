"""Care workers who took part in a debrief read it back, from their phone: what helped, what
got in the way, what could change, the actions (theirs marked) and what was learned. They
cannot change it, and they cannot open a debrief they were not part of, nor another
service's. A linked anonymous report never shows who wrote it, nor their words."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.debriefs.services import add_action, add_contribution, close_debrief
from app.extensions import db
from app.models import Action, Debrief, DebriefAttendee, DebriefContribution, PhysicalHarm, User
from tests.conftest import post_form
from tests.debrief_helpers import make_debrief, make_report

ANONYMOUS_WORDS = "I was on my own on the night shift again when Mrs H fell."


def _held_debrief(world, *, attendees, close=True, reports=()) -> int:
    """A debrief led by the supervisor with points, two actions (one for the care worker,
    one done) and, when closed, a learning summary."""
    debrief_id = make_debrief(world.supervisor, attendees=attendees, reports=reports)
    debrief = db.session.get(Debrief, debrief_id)
    lead = db.session.get(User, world.supervisor.id)
    add_contribution(lead, debrief, "helped", "The sensor mat alarm went off at once.")
    add_contribution(lead, debrief, "hindered", "Only one hoist for two floors.")
    add_contribution(lead, debrief, "could_change", "A second hoist upstairs.")
    add_action(lead, debrief, "Check the hoist battery each shift", world.staff.id, None)
    done = add_action(lead, debrief, "Order a second hoist", world.manager.id, None)
    done.done_at = done.created_at
    db.session.commit()
    if close:
        close_debrief(lead, debrief, "Night checks work when the hoist is charged.")
    return debrief_id


def test_an_attendee_reads_the_whole_debrief_and_sees_their_action(app, client, signed_in, world):
    with app.app_context():
        debrief_id = _held_debrief(world, attendees=[world.staff])
    signed_in(world.staff)
    response = client.get(f"/debriefs/{debrief_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You took part in this debrief." in page
    for said in (
        "The sensor mat alarm went off at once.",
        "Only one hoist for two floors.",
        "A second hoist upstairs.",
        "Night checks work when the hoist is charged.",
        "Order a second hoist",
    ):
        assert said in page
    mine = page.split("Check the hoist battery each shift", 1)[1].split("</li>", 1)[0]
    assert '<span class="tag">Yours</span>' in mine
    assert page.count('<span class="tag">Yours</span>') == 1


def test_an_attendee_reads_an_open_debrief_without_any_way_to_change_it(
    app, client, signed_in, world
):
    with app.app_context():
        debrief_id = _held_debrief(world, attendees=[world.staff], close=False)
    signed_in(world.staff)
    page = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert "Only one hoist for two floors." in page
    assert "will add it when the debrief closes" in page
    for control in ("Change details", 'id="add-helped"', 'id="add-action"', ">Remove<", '/close"'):
        assert control not in page, control
    assert "<form" not in page.split("<main", 1)[1]


def test_an_attendee_cannot_change_the_debrief(app, client, signed_in, world):
    with app.app_context():
        debrief_id = _held_debrief(world, attendees=[world.staff], close=False)
        point_id = db.session.scalars(select(DebriefContribution.id)).first()
    signed_in(world.staff)
    url = f"/debriefs/{debrief_id}"
    assert client.get(f"{url}/edit").status_code == 403
    attempts = {
        f"{url}/edit": {"format": "swarm", "held_on": date.today().isoformat()},
        f"{url}/prompts/helped": {"helped-text": "Added by a care worker"},
        f"{url}/actions": {"action-description": "Added by a care worker"},
        f"{url}/points/{point_id}/remove": {},
        f"{url}/close": {"learning_summary": "Closed by a care worker"},
    }
    for target, data in attempts.items():
        assert post_form(client, target, data, page_url=url).status_code == 403, target
    page = client.get(url).get_data(as_text=True)
    assert "Added by a care worker" not in page and "Only one hoist for two floors." in page
    with app.app_context():
        debrief = db.session.get(Debrief, debrief_id)
        assert debrief.closed_at is None and len(debrief.contributions) == 3
        assert len(debrief.actions) == 2


def test_a_debrief_they_did_not_attend_stays_hidden(app, client, signed_in, world):
    with app.app_context():
        attended = _held_debrief(world, attendees=[world.staff])
        not_attended = _held_debrief(world, attendees=[world.manager])
    signed_in(world.staff)
    assert client.get(f"/debriefs/{not_attended}").status_code == 404
    listed = client.get("/my/debriefs").get_data(as_text=True)
    assert f"/debriefs/{attended}" in listed and f"/debriefs/{not_attended}" not in listed
    assert client.get("/debriefs").status_code == 403


def test_another_services_debrief_stays_hidden_even_with_an_attendance_row(
    app, client, signed_in, world
):
    """Attendance never crosses services: even a stray attendee row elsewhere gives 404."""
    with app.app_context():
        riverside_lead = db.session.get(User, world.riverside_manager.id)
        elsewhere = make_debrief(riverside_lead, attendees=[world.riverside_staff])
        db.session.add(DebriefAttendee(debrief_id=elsewhere, user_id=world.staff.id))
        db.session.commit()
    signed_in(world.staff)
    assert client.get(f"/debriefs/{elsewhere}").status_code == 404
    assert f"/debriefs/{elsewhere}" not in client.get("/my/debriefs").get_data(as_text=True)
    assert "Debriefs you took part in" not in client.get("/").get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.riverside_staff)
    assert client.get(f"/debriefs/{elsewhere}").status_code == 200


def test_someone_moved_to_another_service_no_longer_opens_their_old_debriefs(
    app, client, signed_in, world
):
    with app.app_context():
        debrief_id = _held_debrief(world, attendees=[world.staff])
        db.session.get(User, world.staff.id).service_id = world.riverside.id
        db.session.commit()
    signed_in(world.staff)
    assert client.get(f"/debriefs/{debrief_id}").status_code == 404


def test_a_linked_anonymous_report_shows_neither_its_reporter_nor_their_words(
    app, client, signed_in, world
):
    with app.app_context():
        report_id = make_report(
            world.willow.id,
            harm=PhysicalHarm.MODERATE,
            anonymous=True,
            description=ANONYMOUS_WORDS,
        )
        debrief_id = _held_debrief(world, attendees=[world.staff], reports=[report_id])
    signed_in(world.staff)
    page = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert "Falls · harm: moderate" in page
    assert "on my own on the night shift" not in page
    assert "sent by" not in page and "Anonymous" not in page
    listed = client.get("/my/debriefs").get_data(as_text=True)
    assert "after falls" in listed and "on my own on the night shift" not in listed
    post_form(client, "/logout", {})
    signed_in(world.supervisor)
    led = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert "on my own on the night shift" in led  # those who run debriefs see the report
    assert "sent by" not in led


def test_home_shows_the_debriefs_and_open_actions_of_an_attendee(app, client, signed_in, world):
    signed_in(world.staff)
    assert "Debriefs you took part in" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        debrief_id = _held_debrief(world, attendees=[world.staff])
        # Not attended: its action for the care worker is not theirs to read, nor counted.
        _held_debrief(world, attendees=[world.manager])
    home = client.get("/").get_data(as_text=True)
    assert "Debriefs you took part in" in home
    assert "1 action agreed for you is still open." in home
    assert "You took part in 1 debrief." in home
    listed = client.get("/my/debriefs").get_data(as_text=True)
    assert "1 action for you, still open." in listed
    assert "What we learned: Night checks work when the hoist is charged." in listed
    with app.app_context():
        action = db.session.scalars(
            select(Action).where(Action.owner_id == world.staff.id, Action.debrief_id == debrief_id)
        ).one()
        action.done_at = action.created_at
        db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "agreed for you" not in home and "You took part in 1 debrief." in home
    assert "for you, still open" not in client.get("/my/debriefs").get_data(as_text=True)


def test_supervisors_reach_the_debriefs_they_took_part_in_from_their_own_panel(
    app, client, signed_in, world
):
    with app.app_context():
        debrief_id = make_debrief(world.manager, attendees=[world.supervisor])
        make_debrief(world.manager)
    signed_in(world.supervisor)
    home = client.get("/").get_data(as_text=True)
    assert home.count("Debriefs you took part in") == 1 and "/my/debriefs" in home
    listed = client.get("/my/debriefs").get_data(as_text=True)
    assert listed.count('<li class="card">') == 1 and f"/debriefs/{debrief_id}" in listed


def test_the_list_of_attended_debriefs_makes_a_fixed_number_of_queries(
    app, client, signed_in, world, count_queries
):
    signed_in(world.staff)
    with app.app_context():
        _held_debrief(world, attendees=[world.staff])
    with count_queries() as one:
        client.get("/my/debriefs")
    with app.app_context():
        report_id = make_report(world.willow.id, occurred_on=date.today() - timedelta(days=1))
        for _ in range(4):
            _held_debrief(world, attendees=[world.staff], reports=[report_id])
    with count_queries() as five:
        body = client.get("/my/debriefs").get_data(as_text=True)
    assert body.count('<li class="card">') == 5
    assert five.count == one.count, five.statements
