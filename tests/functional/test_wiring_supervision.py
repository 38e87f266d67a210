"""Supervision prompts gathered from debriefs the supervisee attended and reflections they
shared with their supervisor (issue 5)."""

from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.models import (
    Debrief,
    DebriefAttendee,
    Reflection,
    ReflectionTemplate,
    utcnow,
)

TODAY = date.today()


def _url(world):
    return f"/supervision/new?supervisee_id={world.staff.id}"


def _reflection(world, text, shared):
    return Reflection(
        service_id=world.willow.id,
        author_id=world.staff.id,
        template=ReflectionTemplate.HELPED_HINDERED,
        answers={"helped": text},
        shared_with_supervisor=shared,
        shared_at=utcnow() if shared else None,
    )


def test_supervisor_sees_reflections_shared_with_them_and_never_private_ones(
    app, client, signed_in, world
):
    with app.app_context():
        db.session.add_all(
            [
                _reflection(world, "Talking it through with the night senior helped", True),
                _reflection(world, "A private thought I kept to myself", False),
            ]
        )
        db.session.commit()
    signed_in(world.supervisor)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Reflections they shared with you" in page
    assert "Talking it through with the night senior helped" in page
    assert "A private thought I kept to myself" not in page


def test_supervisor_sees_no_reflections_when_none_were_shared(app, client, signed_in, world):
    with app.app_context():
        db.session.add(_reflection(world, "Only for me", False))
        db.session.commit()
    signed_in(world.supervisor)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "No reflections shared since then." in page
    assert "Only for me" not in page


def test_supervisor_sees_debriefs_the_supervisee_attended(app, client, signed_in, world):
    with app.app_context():
        attended = Debrief(
            service_id=world.willow.id,
            held_on=TODAY - timedelta(days=3),
            facilitator_id=world.manager.id,
            created_by_id=world.manager.id,
            learning_summary="Two people check the MAR chart at handover",
        )
        not_attended = Debrief(
            service_id=world.willow.id,
            held_on=TODAY - timedelta(days=2),
            facilitator_id=world.manager.id,
            created_by_id=world.manager.id,
            learning_summary="A debrief they were not at",
        )
        db.session.add_all([attended, not_attended])
        db.session.flush()
        db.session.add(DebriefAttendee(debrief_id=attended.id, user_id=world.staff.id))
        db.session.add(DebriefAttendee(debrief_id=not_attended.id, user_id=world.manager.id))
        db.session.commit()
    signed_in(world.supervisor)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Debriefs they attended" in page
    assert "Two people check the MAR chart at handover" in page
    assert "A debrief they were not at" not in page
