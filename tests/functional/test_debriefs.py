"""Debriefs: supervisors run them for their service, with the questions of the chosen format,
points added without reloading, shared actions, a learning summary, and leader attendance
recorded when the harm was serious. Nobody outside the service sees them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.debriefs.services import debriefs_for_report, leader_attendance
from app.extensions import db
from app.models import Action, Debrief, DebriefFormat, PhysicalHarm, WorkaroundFlag
from tests.conftest import post_form
from tests.debrief_helpers import make_debrief, make_report


def _start(client, world, **overrides):
    data = {
        "format": "structured",
        "held_on": date.today().isoformat(),
        "facilitator_id": str(world.supervisor.id),
        "attendee_ids": [str(world.staff.id), str(world.manager.id)],
        **overrides,
    }
    return post_form(client, "/debriefs/new", data, page_url="/debriefs/new")


def test_supervisor_starts_a_debrief_for_a_report_and_sees_the_ground_rules(
    app, client, signed_in, world
):
    with app.app_context():
        report_id = make_report(world.willow.id, harm=PhysicalHarm.LOW)
    signed_in(world.supervisor)
    form = client.get("/debriefs/new").get_data(as_text=True)
    assert "Mrs H slipped in the bathroom" in form
    assert "Manager Willow (leader)" in form
    response = _start(client, world, report_ids=[str(report_id)], person_offered="y")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We are here to learn about the system, not to blame anyone." in page
    for prompt in ("What helped", "What got in the way", "What could change"):
        assert prompt in page
    assert "Carer Willow" in page and "Supervisor Willow" in page
    assert "Leader</span>" in page
    assert "The person we support: yes. Their family: no." in page
    with app.app_context():
        debrief = db.session.scalars(select(Debrief)).one()
        assert [r.id for r in debrief.reports] == [report_id]
        assert len(debrief.attendees) == 3  # the facilitator takes part too


@pytest.mark.parametrize(
    ("debrief_format", "questions"),
    [
        (DebriefFormat.STRUCTURED, ["What helped", "What got in the way", "What could change"]),
        (
            DebriefFormat.SWARM,
            ["What happened", "What helped", "What got in the way", "What we do next"],
        ),
        (
            DebriefFormat.AFTER_ACTION,
            [
                "What was expected to happen?",
                "What actually happened?",
                "Why was there a difference?",
                "What can we learn?",
            ],
        ),
    ],
)
def test_each_format_asks_its_own_questions(
    app, client, signed_in, world, debrief_format, questions
):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor, format=debrief_format)
    signed_in(world.supervisor)
    page = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    for question in questions:
        assert f">{question}</h2>" in page
    assert page.count('class="debrief-column card"') == len(questions)


def test_a_point_is_added_with_htmx_as_a_list_item_and_a_fresh_box(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    response = post_form(
        client,
        f"/debriefs/{debrief_id}/prompts/helped",
        {"helped-text": "The sensor mat alarm went off at once."},
        page_url=f"/debriefs/{debrief_id}",
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert '<li class="contribution"' in body and "The sensor mat alarm went off at once." in body
    assert 'id="add-helped"' in body and 'hx-swap-oob="true"' in body
    page = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert "The sensor mat alarm went off at once." in page


def test_a_point_is_added_without_javascript_too(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    response = post_form(
        client,
        f"/debriefs/{debrief_id}/prompts/hindered",
        {"hindered-text": "Only one hoist for two floors."},
        page_url=f"/debriefs/{debrief_id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/debriefs/{debrief_id}#prompt-hindered")
    assert "Only one hoist for two floors." in client.get(f"/debriefs/{debrief_id}").get_data(
        as_text=True
    )


def test_an_empty_point_is_explained_not_saved(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    url = f"/debriefs/{debrief_id}/prompts/helped"
    plain = post_form(client, url, {"helped-text": "  "}, page_url=f"/debriefs/{debrief_id}")
    assert plain.status_code == 422
    assert "Write a few words first." in plain.get_data(as_text=True)
    htmx = post_form(
        client,
        url,
        {"helped-text": ""},
        page_url=f"/debriefs/{debrief_id}",
        headers={"HX-Request": "true"},
    )
    assert "Write a few words first." in htmx.get_data(as_text=True)
    assert '<li class="contribution"' not in htmx.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Debrief, debrief_id).contributions == []


def test_a_question_from_another_format_does_not_exist(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    response = post_form(
        client,
        f"/debriefs/{debrief_id}/prompts/expected",
        {"expected-text": "x"},
        page_url=f"/debriefs/{debrief_id}",
    )
    assert response.status_code == 404


def test_agreed_actions_are_the_same_actions_reports_use(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    response = post_form(
        client,
        f"/debriefs/{debrief_id}/actions",
        {
            "action-description": "Label slings by room",
            "action-owner_id": str(world.manager.id),
            "action-due_on": (date.today() + timedelta(days=7)).isoformat(),
        },
        page_url=f"/debriefs/{debrief_id}",
        headers={"HX-Request": "true"},
    )
    assert "Label slings by room" in response.get_data(as_text=True)
    with app.app_context():
        action = db.session.scalars(select(Action)).one()
        assert action.debrief_id == debrief_id and action.service_id == world.willow.id
        assert action.owner_id == world.manager.id and action.report_id is None


def test_a_learning_summary_closes_the_debrief(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    url = f"/debriefs/{debrief_id}"
    empty = post_form(client, f"{url}/close", {"learning_summary": ""}, page_url=url)
    assert empty.status_code == 422
    assert "Write what the team learned before closing." in empty.get_data(as_text=True)
    closed = post_form(
        client, f"{url}/close", {"learning_summary": "Check slings at handover."}, page_url=url
    )
    assert closed.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Check slings at handover." in page and "Closed on" in page
    assert 'id="add-helped"' not in page
    late = post_form(
        client,
        f"{url}/prompts/helped",
        {"helped-text": "Late point"},
        page_url=url,
        follow_redirects=True,
    )
    assert "This debrief is closed" in late.get_data(as_text=True)
    assert "Late point" not in late.get_data(as_text=True)


def test_serious_harm_debrief_shows_that_no_leader_attended(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world.willow.id, harm=PhysicalHarm.MODERATE)
    signed_in(world.supervisor)
    response = _start(
        client, world, report_ids=[str(report_id)], attendee_ids=[str(world.staff.id)]
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No leader took part." in page
    assert "leading the conversation does not count" in page and "(the facilitator)" in page
    with app.app_context():
        debrief = db.session.scalars(select(Debrief)).one()
        assert debrief.needs_leader and not debrief.leader_attended


def test_serious_harm_debrief_shows_a_leader_attended(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world.willow.id, harm=PhysicalHarm.SEVERE)
    signed_in(world.supervisor)
    response = _start(client, world, report_ids=[str(report_id)])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Yes – a leader took part" in page
    with app.app_context():
        assert [d.id for d in debriefs_for_report(report_id)] == [
            int(response.headers["Location"].rsplit("/", 1)[1])
        ]


def test_leader_attendance_counts_serious_debriefs_in_the_period(app, world):
    today = date.today()
    with app.app_context():
        serious = make_report(world.willow.id, harm=PhysicalHarm.MODERATE)
        fatal = make_report(world.willow.id, harm=PhysicalHarm.FATAL)
        minor = make_report(world.willow.id, harm=PhysicalHarm.LOW)
        elsewhere = make_report(world.riverside.id, harm=PhysicalHarm.SEVERE)
        make_debrief(world.supervisor, attendees=[world.manager], reports=[serious])
        make_debrief(world.supervisor, attendees=[world.staff], reports=[fatal])
        make_debrief(world.supervisor, attendees=[world.staff], reports=[minor])
        make_debrief(world.supervisor, reports=[serious], held_on=today - timedelta(days=40))
        make_debrief(world.riverside_manager, reports=[elsewhere])

        figure = leader_attendance([world.willow.id], today - timedelta(days=30), today)
        assert (figure.held, figure.with_leader, figure.percent) == (2, 1, 50)
        both = leader_attendance([world.willow.id, world.riverside.id], today, today)
        assert (both.held, both.with_leader) == (3, 2)  # a manager facilitating is a leader
        none = leader_attendance([world.faraway.id], today, today)
        assert (none.held, none.percent) == (0, None)


def test_attendees_and_reports_must_belong_to_the_service(app, client, signed_in, world):
    with app.app_context():
        other_report = make_report(world.riverside.id)
    signed_in(world.supervisor)
    wrong_person = _start(client, world, attendee_ids=[str(world.riverside_staff.id)])
    assert wrong_person.status_code == 200
    assert "Choose people from this service." in wrong_person.get_data(as_text=True)
    wrong_report = _start(client, world, report_ids=[str(other_report)])
    assert "Choose reports from this service." in wrong_report.get_data(as_text=True)
    no_date = _start(client, world, held_on="")
    assert "Enter the date of the debrief." in no_date.get_data(as_text=True)
    far_off = _start(client, world, held_on=(date.today() + timedelta(days=90)).isoformat())
    assert "Choose a date within the next two months." in far_off.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Debrief)).all() == []


def test_staff_cannot_open_debriefs(client, signed_in, world):
    signed_in(world.staff)
    assert client.get("/debriefs").status_code == 403
    assert client.get("/debriefs/new").status_code == 403


def test_nobody_from_another_service_sees_a_debrief(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    for outsider in (world.riverside_manager, world.faraway_admin):
        signed_in(outsider)
        assert client.get(f"/debriefs/{debrief_id}").status_code == 404
        assert f"/debriefs/{debrief_id}" not in client.get("/debriefs").get_data(as_text=True)
        response = post_form(client, f"/debriefs/{debrief_id}/prompts/helped", {"helped-text": "x"})
        assert response.status_code == 404
        post_form(client, "/logout", {})
    signed_in(world.admin)
    assert client.get(f"/debriefs/{debrief_id}").status_code == 200


def test_debrief_list_makes_a_fixed_number_of_queries(app, client, signed_in, world, count_queries):
    signed_in(world.supervisor)
    with app.app_context():
        make_debrief(world.supervisor, attendees=[world.staff])
    with count_queries() as one:
        client.get("/debriefs")
    with app.app_context():
        report = make_report(world.willow.id)
        for _ in range(4):
            make_debrief(world.supervisor, attendees=[world.staff, world.manager], reports=[report])
    with count_queries() as five:
        body = client.get("/debriefs").get_data(as_text=True)
    assert body.count('class="card"') == 5
    assert five.count == one.count, five.statements


def test_unsafe_workaround_from_a_debrief_is_discussed_then_resolved(app, client, signed_in, world):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    post_form(
        client,
        f"/debriefs/{debrief_id}/prompts/hindered",
        {"hindered-text": "We prop the fire door open", "hindered-unsafe_workaround": "y"},
        page_url=f"/debriefs/{debrief_id}",
    )
    assert client.get("/workarounds").status_code == 403
    post_form(client, "/logout", {})
    signed_in(world.manager)
    page = client.get("/workarounds").get_data(as_text=True)
    assert "We prop the fire door open" in page and "Raised (1)" in page
    with app.app_context():
        flag_id = db.session.scalars(select(WorkaroundFlag.id)).one()
    url = f"/workarounds/{flag_id}"
    post_form(
        client,
        url,
        {f"flag{flag_id}-status": "discussed", f"flag{flag_id}-note": "Talked at handover"},
        page_url="/workarounds",
    )
    assert "Discussed (1)" in client.get("/workarounds").get_data(as_text=True)
    refused = post_form(
        client,
        url,
        {f"flag{flag_id}-status": "resolved"},
        page_url="/workarounds",
        follow_redirects=True,
    )
    assert "Say what changed" in refused.get_data(as_text=True)
    post_form(
        client,
        url,
        {
            f"flag{flag_id}-status": "resolved",
            f"flag{flag_id}-note": "Door now has a hold-open magnet on the alarm",
        },
        page_url="/workarounds",
    )
    page = client.get("/workarounds").get_data(as_text=True)
    assert "Resolved (1)" in page and "hold-open magnet" in page
    post_form(client, "/logout", {})
    signed_in(world.riverside_manager)
    assert "We prop the fire door open" not in client.get("/workarounds").get_data(as_text=True)
    assert post_form(client, url, {f"flag{flag_id}-status": "discussed"}).status_code == 404


def test_supervisor_home_shows_debriefs_to_run(app, client, signed_in, world):
    with app.app_context():
        make_debrief(world.supervisor)
        make_report(world.willow.id, harm=PhysicalHarm.MODERATE)
        debriefed = make_report(world.willow.id, harm=PhysicalHarm.SEVERE)
        make_report(world.willow.id, harm=PhysicalHarm.LOW)
        make_report(world.riverside.id, harm=PhysicalHarm.SEVERE)
        make_debrief(world.supervisor, reports=[debriefed])
    signed_in(world.supervisor)
    page = client.get("/").get_data(as_text=True)
    assert "Debriefs to run" in page and "2 debriefs are still open" in page
    assert "1 report with serious harm has no debrief yet." in page
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert "Debriefs to run" not in client.get("/").get_data(as_text=True)


def test_a_report_can_be_preselected_and_details_changed_later(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world.willow.id, harm=PhysicalHarm.MODERATE)
    signed_in(world.supervisor)
    form = client.get(f"/debriefs/new?report={report_id}").get_data(as_text=True)
    assert (
        f'checked id="report_ids-0" name="report_ids" type="checkbox" value="{report_id}"' in form
    )
    response = _start(
        client, world, report_ids=[str(report_id)], attendee_ids=[str(world.staff.id)]
    )
    url = response.headers["Location"]
    assert "No leader took part." in client.get(url).get_data(as_text=True)
    changed = post_form(
        client,
        f"{url}/edit",
        {
            "format": "after_action",
            "held_on": date.today().isoformat(),
            "facilitator_id": str(world.supervisor.id),
            "report_ids": [str(report_id)],
            "attendee_ids": [str(world.staff.id), str(world.admin.id)],
        },
        page_url=f"{url}/edit",
    )
    assert changed.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Yes – a leader took part" in page and "What can we learn?" in page


def test_admin_opens_a_debrief_for_another_service_of_their_organisation(
    app, client, signed_in, world
):
    signed_in(world.admin)
    form = client.get(f"/debriefs/new?service={world.riverside.id}").get_data(as_text=True)
    assert "Carer Riverside" in form and "Carer Willow" not in form
    assert client.get(f"/debriefs/new?service={world.faraway.id}").status_code == 404
    response = post_form(
        client,
        f"/debriefs/new?service={world.riverside.id}",
        {
            "format": "swarm",
            "held_on": date.today().isoformat(),
            "facilitator_id": str(world.riverside_manager.id),
            "attendee_ids": [str(world.riverside_staff.id)],
        },
        page_url=f"/debriefs/new?service={world.riverside.id}",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Debrief.service_id)).one() == world.riverside.id


def test_a_point_added_by_mistake_is_removed_but_its_workaround_flag_stays(
    app, client, signed_in, world
):
    with app.app_context():
        debrief_id = make_debrief(world.supervisor)
    signed_in(world.supervisor)
    url = f"/debriefs/{debrief_id}"
    post_form(
        client,
        f"{url}/prompts/hindered",
        {"hindered-text": "We share one glucose meter", "hindered-unsafe_workaround": "y"},
        page_url=url,
    )
    with app.app_context():
        point_id = db.session.scalars(select(Debrief)).one().contributions[0].id
    removed = post_form(
        client, f"{url}/points/{point_id}/remove", {}, page_url=url, headers={"HX-Request": "true"}
    )
    assert removed.status_code == 200 and "Point removed." in removed.get_data(as_text=True)
    assert "We share one glucose meter" not in client.get(url).get_data(as_text=True)
    assert post_form(client, f"{url}/points/{point_id}/remove", {}, page_url=url).status_code == 404
    with app.app_context():
        flag = db.session.scalars(select(WorkaroundFlag)).one()
        assert flag.contribution_id is None and flag.debrief_id == debrief_id
    post_form(client, "/logout", {})
    signed_in(world.riverside_manager)
    assert post_form(client, f"{url}/points/{point_id}/remove", {}).status_code == 404
