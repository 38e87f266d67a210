"""Reflections and observations sent by the offline outbox: the same answers as reports
(201, 200 for a repeat, 422 for a changed repeat, 400, 401, 403), the device time kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import Observation, ObservationStatus, Reflection
from tests.functional.test_observations import answers_for, make_checklist
from tests.functional.test_offline_api import csrf_header

REFLECTION = {
    "template": "what_so_what",
    "what": "A resident refused her tea and I did not know why.",
    "so_what": "I rushed her. She needed more time to wake up.",
    "shared": True,
}


def reflect(client, body: dict, headers: dict | None = None):
    return client.post(
        "/api/v1/reflections",
        json=body,
        headers=csrf_header(client) if headers is None else headers,
    )


def observe(client, body: dict):
    return client.post("/api/v1/observations", json=body, headers=csrf_header(client))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_reflection_written_offline_is_stored_once_with_its_device_time(app, signed_in, world):
    client = signed_in(world.staff)
    body = {
        **REFLECTION,
        "client_id": str(uuid.uuid4()),
        "device_time": "2026-03-14T06:55:00+01:00",
    }
    first = reflect(client, body)
    assert first.status_code == 201
    again = reflect(client, body)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count(app, Reflection) == 1
    with app.app_context():
        reflection = db.session.scalars(select(Reflection)).one()
        assert reflection.answers["so_what"].startswith("I rushed her")
        assert reflection.shared_with_supervisor
        assert reflection.channel == "sync"
        assert reflection.device_time == datetime(2026, 3, 14, 5, 55, tzinfo=UTC)
    # The author reads it where the answer says.
    assert client.get(first.get_json()["url"]).status_code == 200


def test_a_reflection_draft_sent_again_with_other_words_is_refused(app, signed_in, world):
    client = signed_in(world.staff)
    client_id = str(uuid.uuid4())
    assert reflect(client, {**REFLECTION, "client_id": client_id}).status_code == 201
    changed = reflect(client, {**REFLECTION, "client_id": client_id, "what": "Something else"})
    assert changed.status_code == 422
    assert count(app, Reflection) == 1


def test_a_reflection_with_answers_to_fix_says_which(signed_in, world):
    client = signed_in(world.staff)
    empty = reflect(client, {"template": "what_so_what", "client_id": str(uuid.uuid4())})
    assert empty.status_code == 400
    assert "answers" in empty.get_json()["errors"]
    blank = reflect(
        client, {"template": "what_so_what", "what": " ", "client_id": str(uuid.uuid4())}
    )
    assert blank.status_code == 400
    assert blank.get_json()["errors"] == {"what": ["Write something in at least one box."]}
    unknown = reflect(client, {**REFLECTION, "client_id": str(uuid.uuid4()), "mood": "tired"})
    assert unknown.status_code == 400
    assert "mood" in unknown.get_json()["errors"]


def test_a_reflection_cannot_link_to_someone_elses_report(signed_in, world):
    client = signed_in(world.staff)
    body = {**REFLECTION, "client_id": str(uuid.uuid4()), "link": "report:999999"}
    response = reflect(client, body)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"link": ["You can link only to your own reports."]}


def test_signed_out_or_without_the_token_nothing_is_stored(app, client, signed_in, world):
    body = {**REFLECTION, "client_id": str(uuid.uuid4())}
    assert client.post("/api/v1/reflections", json=body).status_code == 401
    assert client.post("/api/v1/observations", json={"items": {}}).status_code == 401
    staff = signed_in(world.staff)
    assert reflect(staff, body, headers={}).status_code == 403
    assert count(app, Reflection) == 0


def test_staff_cannot_send_an_observation(app, signed_in, world):
    with app.app_context():
        template_id = make_checklist(world.willow.id)
        body = {**answers_for(template_id, world.staff.id), "client_id": str(uuid.uuid4())}
    response = observe(signed_in(world.staff), body)
    assert response.status_code == 403
    assert count(app, Observation) == 0


def test_a_finished_observation_sent_twice_is_stored_once(app, signed_in, world):
    with app.app_context():
        template_id = make_checklist(world.willow.id)
        body = {
            **answers_for(template_id, world.staff.id),
            "client_id": str(uuid.uuid4()),
            "device_time": "2026-03-14T10:00:00+00:00",
            "summary": "Calm and careful with the MAR.",
        }
    client = signed_in(world.supervisor)
    first = observe(client, body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["outcome"] == "competent"
    again = observe(client, body)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    changed = observe(client, {**body, "summary": "Something else"})
    assert changed.status_code == 422
    assert count(app, Observation) == 1
    with app.app_context():
        observation = db.session.scalars(select(Observation)).one()
        assert observation.device_time == datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
        assert observation.status is ObservationStatus.COMPLETED


def test_an_observation_from_the_draft_page_finishes_that_draft(app, signed_in, world):
    """The outbox sends the draft page's own fields (item-<id>, action_1 ...) with its id."""
    from app.supervision.observations import start_observation

    with app.app_context():
        template_id = make_checklist(world.willow.id)
        supervisor = db.session.get(type(world.supervisor), world.supervisor.id)
        staff = db.session.get(type(world.staff), world.staff.id)
        draft = start_observation(supervisor, staff, draft_template(template_id), [])
        draft_id, item_ids = draft.id, [item.id for item in draft.items]
    body = {
        "client_id": str(uuid.uuid4()),
        "draft_id": draft_id,
        **{f"item-{item_id}": "met" for item_id in item_ids},
        f"note-{item_ids[0]}": "Checked the photo first.",
        "outcome": "competent",
    }
    response = observe(signed_in(world.supervisor), body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] == draft_id
    assert count(app, Observation) == 1


def draft_template(template_id):
    from app.models import ChecklistTemplate

    return db.session.get(ChecklistTemplate, template_id)


def test_an_observation_with_items_to_fix_says_which(app, signed_in, world):
    with app.app_context():
        template_id = make_checklist(world.willow.id)
        body = answers_for(template_id, world.staff.id, ("met", "not_yet", "met"))
    response = observe(signed_in(world.supervisor), {**body, "client_id": str(uuid.uuid4())})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    # A critical item not met: a plan (beside the first action's box) and a date are needed.
    assert set(errors) == {"action_1", "reobserve_on"}
    assert count(app, Observation) == 0


def test_a_supervisor_cannot_finish_another_supervisors_draft(app, signed_in, world):
    from app.supervision.observations import start_observation

    with app.app_context():
        template_id = make_checklist(world.willow.id)
        manager = db.session.get(type(world.manager), world.manager.id)
        staff = db.session.get(type(world.staff), world.staff.id)
        draft_id = start_observation(manager, staff, draft_template(template_id), []).id
    body = {"client_id": str(uuid.uuid4()), "draft_id": draft_id, "items": {}}
    response = observe(signed_in(world.supervisor), body)
    assert response.status_code == 400
    assert "draft_id" in response.get_json()["errors"]
