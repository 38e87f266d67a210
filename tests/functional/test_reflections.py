"""Reflections: written from a template, private to the author unless shared with their
supervisor, saved once however often the offline outbox sends them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Reflection, Role, User, WorkaroundFlag
from app.reflections.services import (
    ReflectionError,
    save_reflection,
    shared_reflections_for,
)
from app.sync import ClientIdConflict
from tests.conftest import post_form, sign_in
from tests.debrief_helpers import make_debrief, make_report

ANSWERS = {
    "helped": "Tom came straight away.",
    "hindered": "The sling was the wrong size.",
    "could_change": "Label slings by room.",
}


def _write(client, **overrides):
    data = {"template": "helped_hindered", **ANSWERS, **overrides}
    return post_form(client, "/reflect", data, page_url="/reflect")


def _save(app, author, answers=None, **kwargs) -> int:
    with app.app_context():
        user = db.session.get(User, author.id)
        return save_reflection(user, answers or ANSWERS, **kwargs).reflection.id


def test_staff_writes_a_reflection_that_only_they_can_read(app, client, signed_in, world):
    signed_in(world.staff)
    response = _write(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved. Only you can read it." in page
    assert "The sling was the wrong size." in page and "What got in the way?" in page
    mine = client.get("/reflections").get_data(as_text=True)
    assert "Tom came straight away." in mine and "Just for you" in mine
    url = response.headers["Location"]
    for reader in (world.supervisor, world.manager, world.admin, world.faraway_admin):
        post_form(client, "/logout", {})
        signed_in(reader)
        assert client.get(url).status_code == 404, reader.email
        assert "Tom came straight away." not in client.get("/reflections").get_data(as_text=True)


def test_shared_reflection_is_read_by_supervisors_of_the_service_only(
    app, client, signed_in, world
):
    with app.app_context():
        world.person("carer2@willow.example.org", Role.STAFF, world.willow)
        db.session.commit()
    reflection_id = _save(app, world.staff, shared=True)
    url = f"/reflections/{reflection_id}"
    signed_in(world.supervisor)
    page = client.get(url).get_data(as_text=True)
    assert "Label slings by room." in page and "shared for supervision" in page
    post_form(client, "/logout", {})
    for outsider_email in (
        "carer2@willow.example.org",
        world.riverside_manager.email,
        world.riverside_staff.email,
        world.faraway_admin.email,
    ):
        assert sign_in(client, outsider_email).status_code == 302
        assert client.get(url).status_code == 404, outsider_email
        post_form(client, "/logout", {})


@pytest.mark.parametrize(
    ("template", "answers", "question"),
    [
        ("helped_hindered", {"helped": "a"}, "What could change?"),
        ("gibbs", {"feelings": "Nervous"}, "What were you thinking and feeling?"),
        ("what_so_what", {"so_what": "It matters"}, "What will you do now?"),
        ("positive_risk", {"wanted": "To go out alone"}, "What was the least restrictive option?"),
    ],
)
def test_each_template_asks_its_own_questions(
    app, client, signed_in, world, template, answers, question
):
    signed_in(world.staff)
    form = client.get(f"/reflect?template={template}").get_data(as_text=True)
    assert question in form
    response = post_form(client, "/reflect", {"template": template, **answers}, page_url="/reflect")
    assert response.status_code == 302
    with app.app_context():
        reflection = db.session.scalars(select(Reflection)).one()
        assert reflection.template.value == template and reflection.answers == answers


def test_switching_template_without_javascript_keeps_what_was_typed(client, signed_in, world):
    signed_in(world.staff)
    response = post_form(
        client,
        "/reflect",
        {"template": "what_so_what", "intent": "switch", "what": "Busy round"},
        page_url="/reflect",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Why does it matter?" in body and "Busy round" in body
    assert "Write something" not in body


def test_an_empty_reflection_is_explained_and_not_saved(app, client, signed_in, world):
    signed_in(world.staff)
    response = _write(client, helped="", hindered=" ", could_change="")
    assert response.status_code == 200
    assert "Write something in at least one box." in response.get_data(as_text=True)
    too_long = _write(client, helped="x" * 4001)
    # The words the offline API's ReflectionBody uses, and no maxlength cut the paste short.
    assert "Keep each answer under 4000 characters." in too_long.get_data(as_text=True)
    assert "x" * 4001 in too_long.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Reflection)).all() == []


def test_a_reflection_links_only_to_my_reports_and_debriefs_i_attended(
    app, client, signed_in, world
):
    with app.app_context():
        mine = make_report(world.willow.id, reporter_id=world.staff.id)
        theirs = make_report(world.willow.id, reporter_id=world.supervisor.id)
        attended = make_debrief(world.supervisor, attendees=[world.staff])
        missed = make_debrief(world.supervisor)
    signed_in(world.staff)
    form = client.get("/reflect").get_data(as_text=True)
    assert f'value="report:{mine}"' in form and f'value="debrief:{attended}"' in form
    assert f'value="report:{theirs}"' not in form and f'value="debrief:{missed}"' not in form
    assert _write(client, link=f"report:{mine}").status_code == 302
    assert _write(client, link=f"debrief:{attended}").status_code == 302
    refused = _write(client, link=f"report:{theirs}").get_data(as_text=True)
    assert "Choose one of your own reports or debriefs from the list." in refused
    with app.app_context():
        author = db.session.get(User, world.staff.id)
        with pytest.raises(ReflectionError, match="only to your own reports"):
            save_reflection(author, ANSWERS, report_id=theirs)
        with pytest.raises(ReflectionError, match="debrief you took part in"):
            save_reflection(author, ANSWERS, debrief_id=missed)
        links = {(r.report_id, r.debrief_id) for r in db.session.scalars(select(Reflection))}
        assert links == {(mine, None), (None, attended)}


def test_the_same_draft_sent_twice_is_saved_once(app, world):
    client_id = str(uuid.uuid4())
    device_time = datetime(2026, 11, 25, 22, 15, tzinfo=UTC)
    with app.app_context():
        author = db.session.get(User, world.staff.id)
        first = save_reflection(
            author, ANSWERS, client_id=client_id, device_time=device_time, channel="sync"
        )
        again = save_reflection(
            author, ANSWERS, client_id=client_id, device_time=device_time, channel="sync"
        )
        assert first.created and not again.created
        assert again.reflection.id == first.reflection.id
        assert first.reflection.device_time == device_time
        assert first.reflection.channel == "sync"
        with pytest.raises(ClientIdConflict):
            save_reflection(author, {**ANSWERS, "helped": "Something else"}, client_id=client_id)
        with pytest.raises(ReflectionError, match="not a valid UUID"):
            save_reflection(author, ANSWERS, client_id="not-a-uuid")
        with pytest.raises(ReflectionError, match="time zone"):
            save_reflection(author, ANSWERS, device_time=datetime(2026, 11, 25, 22, 15))  # noqa: DTZ001
        with pytest.raises(ReflectionError, match="Unknown questions"):
            save_reflection(author, {"feelings": "x"})
        with pytest.raises(ReflectionError, match="templates"):
            save_reflection(author, ANSWERS, template="diary")
        assert len(db.session.scalars(select(Reflection)).all()) == 1


def test_shared_reflections_become_supervision_prompts(app, world):
    private = _save(app, world.staff, {"helped": "private"})
    shared = _save(app, world.staff, {"helped": "shared"}, shared=True)
    _save(app, world.riverside_staff, {"helped": "someone else"}, shared=True)
    with app.app_context():
        assert [r.id for r in shared_reflections_for(world.staff.id)] == [shared]
        later = datetime.now(UTC) + timedelta(minutes=1)
        assert shared_reflections_for(world.staff.id, since=later) == []
    assert private != shared


def test_author_shares_and_stops_sharing_later(app, client, signed_in, world):
    reflection_id = _save(app, world.staff)
    url = f"/reflections/{reflection_id}"
    signed_in(world.staff)
    page = client.get(url).get_data(as_text=True)
    assert "Only you can read this." in page
    post_form(client, f"{url}/sharing", {"shared": "1"}, page_url=url)
    post_form(client, "/logout", {})
    signed_in(world.supervisor)
    assert client.get(url).status_code == 200
    assert post_form(client, f"{url}/sharing", {"shared": "0"}).status_code == 404
    post_form(client, "/logout", {})
    signed_in(world.staff)
    post_form(client, f"{url}/sharing", {"shared": "0"}, page_url=url)
    post_form(client, "/logout", {})
    signed_in(world.supervisor)
    assert client.get(url).status_code == 404


def test_a_workaround_from_a_reflection_reaches_managers_without_the_author(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _write(client, workaround="We sign the fridge chart before checking it.")
    post_form(client, "/logout", {})
    signed_in(world.manager)
    page = client.get("/workarounds").get_data(as_text=True)
    assert "We sign the fridge chart before checking it." in page
    assert "in a private reflection" in page
    assert "Carer Willow" not in page and "Tom came straight away." not in page
    with app.app_context():
        flag = db.session.scalars(select(WorkaroundFlag)).one()
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "workaround.raised")
        ).one()
        assert flag.reflection_id is not None and entry.actor_id is None


def test_staff_home_offers_reflect_on_a_shift_with_counts(app, client, signed_in, world):
    _save(app, world.staff)
    _save(app, world.staff, {"helped": "shared one"}, shared=True)
    signed_in(world.staff)
    page = client.get("/").get_data(as_text=True)
    assert "Reflect on a shift" in page
    assert "You wrote 2 reflections in the last 30 days; 1 is just for you." in page


def test_supervisor_sees_only_shared_reflections_of_their_service(
    app, client, signed_in, world, count_queries
):
    _save(app, world.staff, {"helped": "Shared with Tom"}, shared=True)
    _save(app, world.staff, {"helped": "Kept private"})
    _save(app, world.riverside_staff, {"helped": "Shared at Riverside"}, shared=True)
    signed_in(world.supervisor)
    assert "1 reflection shared with you for supervision" in client.get("/").get_data(as_text=True)
    with count_queries() as counted:
        page = client.get("/reflections/shared").get_data(as_text=True)
    assert "Shared with Tom" in page
    assert "Kept private" not in page and "Shared at Riverside" not in page
    assert counted.count <= 5, counted.statements  # incl. the header notification count
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert client.get("/reflections/shared").status_code == 403
