"""The audit trail page: admins only, their organisation's entries, filters and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.admin.services import PAGE_SIZE
from app.audit import log_event
from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import sign_in


def _log(app, world, *, count=1, action="person.reviewed", who=None, person=None):
    with app.app_context():
        actor = db.session.get(User, (who or world.manager).id)
        record = db.session.get(User, (person or world.staff).id)
        for _ in range(count):
            log_event(action, record, actor=actor)
        db.session.commit()


def test_admin_sees_their_organisations_entries_but_not_another_organisations(
    app, client, signed_in, world
):
    _log(app, world, action="person.role_changed")
    _log(app, world, action="person.deactivated", who=world.riverside_manager,
         person=world.riverside_staff)  # fmt: skip
    _log(app, world, action="person.faraway_secret", who=world.faraway_admin,
         person=world.faraway_staff)  # fmt: skip
    signed_in(world.admin)
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "person.role_changed" in body and "person.deactivated" in body
    assert "Manager Willow" in body and "Riverside" in body
    assert "person.faraway_secret" not in body and "Admin Faraway" not in body


def test_filters_by_action_person_service_and_date(app, client, signed_in, world):
    _log(app, world, action="person.role_changed")
    _log(app, world, action="person.deactivated", who=world.riverside_manager,
         person=world.riverside_staff)  # fmt: skip
    with app.app_context():
        db.session.execute(
            update(AuditEntry)
            .where(AuditEntry.action == "person.role_changed")
            .values(created_at=datetime(2026, 1, 5, 10, tzinfo=UTC))
        )
        db.session.commit()
    signed_in(world.admin)

    def rows(query: str) -> str:
        body = client.get("/admin/audit?" + query).get_data(as_text=True)
        return body.split("<tbody>")[1] if "<tbody>" in body else ""

    assert "person.deactivated" not in rows("action=person.role_changed")
    assert "person.role_changed" not in rows(f"person={world.riverside_manager.id}")
    assert "person.role_changed" not in rows(f"service={world.riverside.id}")
    assert "person.deactivated" in rows(f"service={world.riverside.id}")
    january = rows("since=2026-01-01&until=2026-01-31")
    assert "person.role_changed" in january and "person.deactivated" not in january
    assert "person.deactivated" in rows(
        f"since={(datetime.now(UTC) - timedelta(days=1)).date().isoformat()}"
    )


def test_pages_of_entries_in_a_fixed_number_of_queries(
    app, client, signed_in, world, count_queries
):
    _log(app, world, count=PAGE_SIZE + 5)
    signed_in(world.admin)
    with count_queries() as first:
        page_one = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in page_one and "Older" in page_one
    _log(app, world, count=PAGE_SIZE)
    with count_queries() as again:
        client.get("/admin/audit")
    assert again.count == first.count <= 10
    page_two = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 3" in page_two and "Newer" in page_two


def test_only_admins_open_the_audit_trail(app, world):
    for person in (world.staff, world.supervisor, world.manager):
        visitor = app.test_client()
        sign_in(visitor, person.email)
        assert visitor.get("/admin/audit").status_code == 403


def test_the_audit_trail_is_in_the_admins_menu(client, signed_in, world):
    signed_in(world.admin)
    assert 'href="/admin/audit"' in client.get("/").get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalars(select(AuditEntry)).first() is not None
