"""Competency observations: checklists, the tablet form, outcomes, acknowledgement and scope."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Action,
    Category,
    ChecklistTemplate,
    ItemResult,
    Observation,
    ObservationStatus,
    Outcome,
    Report,
    ReportKind,
)
from app.supervision.checklists import ItemDraft, create_template
from app.supervision.observations import ObservationInvalid, record_observation
from app.sync import ClientIdConflict
from tests.conftest import csrf_token_from, post_form

IN_TWO_WEEKS = (date.today() + timedelta(days=14)).isoformat()


def make_checklist(service_id, name="Medication administration", recheck=True, with_add_on=False):
    items = [
        ItemDraft("Confirms it is the right person", "Photo on the MAR", critical=True),
        ItemDraft("Checks the MAR chart", critical=True),
        ItemDraft("Follows the PRN protocol"),
    ]
    if with_add_on:
        items.append(
            ItemDraft("Two people sign the CD register", critical=True, module="Controlled drugs")
        )
    template = create_template(
        None,
        service_id=service_id,
        name=name,
        renewal_months=12,
        items=items,
        recheck_after_medication_report=recheck,
    )
    db.session.commit()
    return template.id


def answers_for(template_id, staff_id, results=("met", "met", "met"), **extra):
    template = db.session.get(ChecklistTemplate, template_id)
    return {
        "staff_id": staff_id,
        "template_id": template_id,
        "items": {
            str(i.id): {"result": r} for i, r in zip(template.items_for([]), results, strict=True)
        },
        **extra,
    }


@pytest.fixture
def checklist(app, world):
    with app.app_context():
        return make_checklist(world.willow.id)


def start(client, world, template_id, modules=()):
    response = post_form(
        client,
        "/observe",
        {
            "staff_id": str(world.staff.id),
            "template_id": str(template_id),
            "modules": list(modules),
        },
        page_url="/observe",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def item_ids(app, template_id):
    with app.app_context():
        return [i.id for i in db.session.get(ChecklistTemplate, template_id).items]


def test_supervisor_records_an_observation_with_one_plain_form(
    app, client, signed_in, world, checklist
):
    signed_in(world.supervisor)
    url = start(client, world, checklist)
    first, second, third = item_ids(app, checklist)
    page = client.get(url).get_data(as_text=True)
    assert "0 of 3" in page and "Critical" in page
    response = post_form(
        client,
        url,
        {
            f"item-{first}": "met",
            f"item-{second}": "met",
            f"item-{third}": "na",
            f"note-{third}": "Nobody needed PRN today.",
        },
        page_url=url,
    )
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Competent" in result and "Nobody needed PRN today." in result
    with app.app_context():
        observation = db.session.scalars(select(Observation)).one()
        assert observation.status is ObservationStatus.COMPLETED
        assert observation.outcome is Outcome.COMPETENT


def test_each_tap_saves_with_htmx_and_moves_the_progress_bar(
    app, client, signed_in, world, checklist
):
    signed_in(world.supervisor)
    url = start(client, world, checklist)
    first = item_ids(app, checklist)[0]
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/items/{first}",
        data={f"item-{first}": "not_yet", f"note-{first}": "Did not check the photo"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert "1 of 3" in response.get_data(as_text=True)
    with app.app_context():
        answer = db.session.scalars(select(Observation)).one().answers[0]
        assert answer.result is ItemResult.NOT_YET and answer.note == "Did not check the photo"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'value="not_yet" checked', page) and "Did not check the photo" in page


def test_a_critical_item_not_met_needs_a_plan_and_a_date_then_is_not_yet_competent(
    app, client, signed_in, world, checklist
):
    signed_in(world.supervisor)
    url = start(client, world, checklist)
    first, second, third = item_ids(app, checklist)
    answers = {
        f"item-{first}": "met",
        f"item-{second}": "not_yet",
        f"item-{third}": "met",
        "outcome": "competent",
    }
    missing = post_form(client, url, answers, page_url=url)
    body = missing.get_data(as_text=True)
    assert missing.status_code == 200
    assert "Add at least one development action" in body
    assert "Choose a date to observe again." in body
    assert f'id="item-{second}-not_yet" name="item-{second}" value="not_yet" checked' in body
    done = post_form(
        client,
        url,
        {**answers, "action_1": "Practise the MAR check with Tom", "reobserve_on": IN_TWO_WEEKS},
        page_url=url,
    )
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Not yet competent" in page and "A critical item was not yet met" in page
    with app.app_context():
        action = db.session.scalars(select(Action)).one()
        assert action.observation_id is not None and action.owner_id == world.staff.id


def test_every_item_needs_an_answer(app, client, signed_in, world, checklist):
    signed_in(world.supervisor)
    url = start(client, world, checklist)
    first = item_ids(app, checklist)[0]
    response = post_form(client, url, {f"item-{first}": "met"}, page_url=url)
    body = response.get_data(as_text=True)
    assert "Choose met, not yet or N/A for: Checks the MAR chart" in body
    with app.app_context():
        assert db.session.scalars(select(Observation)).one().status is ObservationStatus.DRAFT


def test_add_on_modules_add_their_items(app, client, signed_in, world):
    with app.app_context():
        template_id = make_checklist(world.willow.id, name="Meds", with_add_on=True)
    signed_in(world.supervisor)
    assert "Two people sign" not in client.get(start(client, world, template_id)).get_data(
        as_text=True
    )
    with_cd = client.get(start(client, world, template_id, ["Controlled drugs"])).get_data(
        as_text=True
    )
    assert "Two people sign the CD register" in with_cd and "0 of 4" in with_cd


def test_the_same_offline_observation_sent_twice_is_stored_once(app, world, checklist):
    with app.app_context():
        supervisor = db.session.get(type(world.supervisor), world.supervisor.id)
        body = answers_for(checklist, world.staff.id)
        first = record_observation(
            supervisor, body, client_id="3b7f6a0e-1111-4c1c-9d5e-000000000001"
        )
        again = record_observation(
            supervisor, body, client_id="3b7f6a0e-1111-4c1c-9d5e-000000000001"
        )
        assert first.id == again.id
        assert db.session.scalar(select(func.count()).select_from(Observation)) == 1
        changed = answers_for(checklist, world.staff.id, ("met", "met", "na"))
        with pytest.raises(ClientIdConflict):
            record_observation(
                supervisor, changed, client_id="3b7f6a0e-1111-4c1c-9d5e-000000000001"
            )


def test_the_service_explains_what_to_fix(app, world, checklist):
    with app.app_context():
        supervisor = db.session.get(type(world.supervisor), world.supervisor.id)
        with pytest.raises(ObservationInvalid) as invalid:
            record_observation(supervisor, answers_for(checklist, world.riverside_staff.id))
        assert invalid.value.errors["staff_id"] == ["Choose who you are observing."]
        with pytest.raises(ObservationInvalid) as bad_result:
            record_observation(
                supervisor, answers_for(checklist, world.staff.id, ("met", "maybe", "met"))
            )
        assert ["Choose met, not yet or N/A."] in bad_result.value.errors.values()


def test_editing_a_checklist_makes_a_new_version_and_past_observations_keep_theirs(
    app, client, signed_in, world, checklist
):
    with app.app_context():
        supervisor = db.session.get(type(world.supervisor), world.supervisor.id)
        past = record_observation(supervisor, answers_for(checklist, world.staff.id)).id
    signed_in(world.manager)
    form_page = client.get(f"/checklists/{checklist}/edit").get_data(as_text=True)
    assert "Saving makes version 2" in form_page
    response = post_form(
        client,
        f"/checklists/{checklist}/edit",
        {
            "name": "Medication administration",
            "renewal_months": "6",
            "recheck_after_medication_report": "y",
            "items-0-text": "Confirms it is the right person",
            "items-0-critical": "y",
            "items-1-text": "Checks allergies and recent changes",
            "items-1-critical": "y",
        },
        page_url=f"/checklists/{checklist}/edit",
    )
    assert response.status_code == 302
    with app.app_context():
        versions = db.session.scalars(
            select(ChecklistTemplate).order_by(ChecklistTemplate.version)
        ).all()
        assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
        assert [i.text for i in versions[1].items] == [
            "Confirms it is the right person",
            "Checks allergies and recent changes",
        ]
        kept = db.session.get(Observation, past)
        assert kept.template.version == 1 and len(kept.items) == 3
    picker = client.get("/observe").get_data(as_text=True)
    assert (
        picker.count("Medication administration") == 2
    )  # the current version + the recent observation
    assert "Checks the MAR chart" in client.get(f"/observations/{past}").get_data(as_text=True)


def test_a_checklist_needs_a_name_and_an_item(client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client, "/checklists/new", {"name": "", "renewal_months": "12"}, page_url="/checklists/new"
    )
    body = response.get_data(as_text=True)
    assert "Give the checklist a name." in body
    response = post_form(
        client,
        "/checklists/new",
        {"name": "Oral care", "renewal_months": "12"},
        page_url="/checklists/new",
    )
    assert "Add at least one item to observe." in response.get_data(as_text=True)


def test_only_managers_and_admins_change_checklists(client, signed_in, world, checklist):
    signed_in(world.supervisor)
    assert client.get("/checklists/new").status_code == 403
    assert client.get(f"/checklists/{checklist}/edit").status_code == 403
    assert client.get(f"/checklists/{checklist}").status_code == 200


def test_care_workers_cannot_observe_others(client, signed_in, world):
    signed_in(world.staff)
    assert client.get("/observe").status_code == 403
    assert client.get("/observe/team").status_code == 403


def _finished_observation(app, world, checklist, results=("met", "not_yet", "met")):
    with app.app_context():
        supervisor = db.session.get(type(world.supervisor), world.supervisor.id)
        observation = record_observation(
            supervisor,
            answers_for(
                checklist,
                world.staff.id,
                results,
                reobserve_on=IN_TWO_WEEKS,
                actions=[{"description": "Practise the MAR check with Tom"}],
            ),
        )
        return observation.id


def test_the_observed_care_worker_reads_acknowledges_and_comments(
    app, client, signed_in, world, checklist
):
    observation_id = _finished_observation(app, world, checklist)
    signed_in(world.staff)
    home = client.get("/").get_data(as_text=True)
    assert "Waiting for you to read" in home and f"/observations/{observation_id}" in home
    page = client.get(f"/observations/{observation_id}").get_data(as_text=True)
    assert "Not yet competent" in page and "Practise the MAR check with Tom" in page
    response = post_form(
        client,
        f"/observations/{observation_id}/acknowledge",
        {"comment": "Thank you, that helped."},
        page_url=f"/observations/{observation_id}",
    )
    assert response.status_code == 302
    page = client.get(f"/observations/{observation_id}").get_data(as_text=True)
    assert "Read and acknowledged on" in page and "Thank you, that helped." in page
    assert "Waiting for you to read" not in client.get("/").get_data(as_text=True)


def test_observations_are_seen_only_by_the_person_and_their_service(
    app, client, signed_in, world, checklist
):
    observation_id = _finished_observation(app, world, checklist)
    signed_in(world.riverside_manager)
    assert client.get(f"/observations/{observation_id}").status_code == 404
    post_form(client, "/logout", {})
    signed_in(world.faraway_admin)
    assert client.get(f"/observations/{observation_id}").status_code == 404
    assert client.get(f"/checklists/{checklist}").status_code == 404
    post_form(client, "/logout", {})
    signed_in(world.admin)
    assert client.get(f"/observations/{observation_id}").status_code == 200


def test_another_care_worker_cannot_read_or_acknowledge_it(
    app, client, signed_in, world, checklist
):
    observation_id = _finished_observation(app, world, checklist)
    with app.app_context():
        other = world.person(
            "carer2@willow.example.org", type(world.staff.role).STAFF, world.willow
        )
        db.session.commit()
        other_email = other.email
    from tests.conftest import sign_in

    assert sign_in(client, other_email).status_code == 302
    assert client.get(f"/observations/{observation_id}").status_code == 404
    page = client.get("/my/development").get_data(as_text=True)
    response = client.post(
        f"/observations/{observation_id}/acknowledge", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 404


def test_team_view_shows_who_needs_which_support_and_who_is_due(
    app, client, signed_in, world, checklist, count_queries
):
    _finished_observation(app, world, checklist)
    with app.app_context():
        db.session.add(
            Report(
                service_id=world.willow.id,
                reporter_id=world.staff.id,
                kind=ReportKind.NEAR_MISS,
                category=Category.MEDICATION,
                description="Signed but not given",
                occurred_on=date.today(),
            )
        )
        db.session.commit()
    signed_in(world.supervisor)
    with count_queries() as counted:
        page = client.get("/observe/team").get_data(as_text=True)
    assert counted.count <= 10, counted.statements
    assert "Checks the MAR chart" in page and world.staff.name in page
    assert "Not yet competent" in page
    assert world.riverside_staff.name not in page


def test_a_medication_report_after_a_competent_observation_suggests_observing_sooner(
    app, client, signed_in, world, checklist
):
    with app.app_context():
        supervisor = db.session.get(type(world.supervisor), world.supervisor.id)
        record_observation(
            supervisor,
            answers_for(
                checklist,
                world.staff.id,
                observed_on=(date.today() - timedelta(days=30)).isoformat(),
            ),
        )
        db.session.add(
            Report(
                service_id=world.willow.id,
                reporter_id=world.supervisor.id,
                kind=ReportKind.INCIDENT,
                category=Category.MEDICATION,
                description="Wrong time",
                occurred_on=date.today(),
                follow_up={"staff_involved_ids": [world.staff.id]},
            )
        )
        db.session.commit()
    signed_in(world.supervisor)
    page = client.get("/observe/team").get_data(as_text=True)
    assert "consider observing sooner (NICE SC1)" in page
