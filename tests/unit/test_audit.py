"""The audit trail: append-only, chained by hashes, and checked by `flask audit verify`."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from app.audit import log_event, verify_chain
from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import post_form, sign_in


def test_sign_in_and_out_are_audited_with_who_and_where(app, client, world):
    sign_in(client, "manager@willow.example.org")
    post_form(client, "/logout", {})
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["auth.signed_in", "auth.signed_out"]
        assert all(e.actor_id == world.manager.id for e in entries)
        assert entries[0].actor_role == "manager" and entries[0].service_id == world.willow.id
        assert entries[0].request_id and entries[0].channel == "web"


def test_role_change_records_before_and_after(app, client, signed_in, world):
    signed_in(world.manager)
    url = f"/people/{world.staff.id}"
    post_form(client, url, {"role": "supervisor"}, page_url=url)
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "person.role_changed")
        ).one()
        assert json.loads(entry.summary) == {"from": "staff", "to": "supervisor"}
        assert entry.record_type == "User" and entry.record_id == world.staff.id


def test_anonymous_events_keep_no_actor(app, world):
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        entry = log_event("test.anonymous", None, actor=staff, anonymous=True,
                          service_id=world.willow.id)
        db.session.commit()
        assert entry.actor_id is None and entry.actor_role is None


def test_verify_finds_the_chain_intact_then_spots_tampering(app, world):
    with app.app_context():
        for index in range(5):
            log_event("test.event", None, actor=None, summary={"n": index})
        db.session.commit()
        assert verify_chain().intact and verify_chain().entries == 5
        third = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(2)).first()
        db.session.execute(
            text("UPDATE audit_entry SET summary = :s WHERE id = :id"),
            {"s": '{"n": 99}', "id": third.id},
        )
        db.session.commit()
        report = verify_chain()
        assert not report.intact and report.broken_at == third.id


def test_verify_spots_a_deleted_entry(app, world):
    with app.app_context():
        for index in range(3):
            log_event("test.event", None, actor=None, summary={"n": index})
        db.session.commit()
        last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        db.session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": last.id})
        db.session.commit()
        assert not verify_chain().intact


def test_audit_verify_command(app, world):
    with app.app_context():
        log_event("test.event", None, actor=None)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 1 entries" in result.output
