"""Bulk data for benchmarks and scale tests: `flask --app wsgi seed-bulk --reports N --services S`.

Reports are generated inside the database with one INSERT ... SELECT over a counter,
so a million rows take seconds, not the hours a Python loop would. The shape is realistic
enough for the dashboard and triage queue: two years of reports across the services, a third
near misses, some medication, some repeats, two thirds with learning shared.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from app.extensions import db
from app.governance.rollups import rebuild as rebuild_rollups
from app.models import Organisation, Role, Service, ServiceKind, User

BULK_ORGANISATION = "Bulk Care Group"
BULK_PASSWORD = "learnloop-bulk"  # noqa: S105  (benchmark data only; refuses in production)


def _bulk_password_hash() -> str:
    """The bulk password hashed once for every bulk account: argon2 is slow on purpose (about
    a tenth of a second a hash), and a hundred accounts each hashing it took minutes on a busy
    two-core server."""
    template = User(name="bulk", email="bulk@bulk.learnloop", role=Role.STAFF)
    template.set_password(BULK_PASSWORD)
    return template.password_hash


def bulk_services(count: int) -> list[int]:
    """Make sure the bulk organisation has `count` services, each with a manager and a carer."""
    org = db.session.scalars(
        select(Organisation).where(Organisation.name == BULK_ORGANISATION)
    ).first()
    if org is None:
        org = Organisation(name=BULK_ORGANISATION)
        db.session.add(org)
        db.session.flush()
    services = list(db.session.scalars(select(Service).where(Service.organisation_id == org.id)))
    if len(services) >= count:
        return [s.id for s in services[:count]]
    password_hash = _bulk_password_hash()
    if not services:
        first = Service(organisation_id=org.id, name="Bulk Service 01", kind=ServiceKind.HOME_CARE)
        db.session.add(first)
        db.session.flush()
        admin = User(
            name="Bulk Admin", email="admin@bulk.learnloop", role=Role.ADMIN, service_id=first.id
        )
        admin.password_hash = password_hash
        db.session.add(admin)
        _add_team(first, 1, password_hash)
        services.append(first)
    for number in range(len(services) + 1, count + 1):
        service = Service(
            organisation_id=org.id, name=f"Bulk Service {number:02d}", kind=ServiceKind.HOME_CARE
        )
        db.session.add(service)
        db.session.flush()
        _add_team(service, number, password_hash)
        services.append(service)
    db.session.commit()
    return [s.id for s in services[:count]]


def _add_team(service: Service, number: int, password_hash: str) -> None:
    for role in (Role.MANAGER, Role.STAFF):
        user = User(
            name=f"{role.label} {number}",
            email=f"{role.value}{number}@bulk.learnloop",
            role=role,
            service_id=service.id,
        )
        user.password_hash = password_hash
        db.session.add(user)


def generate_reports(count: int, service_ids: list[int], first_year: int | None = None) -> None:
    """Insert `count` reports spread over two years from 1 January of `first_year`."""
    year = first_year or date.today().year - 1
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        day = "make_timestamptz(:year, 1, 1, 12, 0, 0, 'UTC') + (i % 730) * interval '1 day'"
        later = f"({day}) + (i % 9) * interval '1 day'"
        true, false = "true", "false"
    else:
        day = "datetime(:year || '-01-01 12:00:00', '+' || (i % 730) || ' days')"
        later = f"datetime({day}, '+' || (i % 9) || ' days')"
        true, false = "1", "0"
    services = " ".join(f"WHEN {n} THEN {int(sid)}" for n, sid in enumerate(service_ids))
    # PostgreSQL counts with generate_series, several times faster than a recursive counter
    # (a million rows in under a minute on a small server); SQLite has only the counter.
    counter = (
        "n(i) AS (SELECT generate_series(1, :count))"
        if postgres
        else "RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
    )
    statement = f"""
        WITH {counter}
        INSERT INTO report (service_id, anonymous, kind, category, description, time_bracket,
            occurred_at, occurred_on, physical_harm, follow_up, status, is_repeat, created_at,
            first_feedback_at, person_reference)
        SELECT CASE i % {len(service_ids)} {services} END, {false},
            CASE WHEN i % 3 = 0 THEN 'near_miss' ELSE 'incident' END,
            CASE WHEN i % 5 = 0 THEN 'medication' WHEN i % 5 = 1 THEN 'falls'
                 WHEN i % 5 = 2 THEN 'behaviour' WHEN i % 5 = 3 THEN 'communication'
                 ELSE 'pressure_care' END,
            'Generated report for benchmarks', 'exact', {day}, CAST({day} AS DATE),
            CASE WHEN i % 3 = 0 THEN NULL WHEN i % 11 = 0 THEN 'moderate' ELSE 'low' END,
            '{{}}', CASE WHEN i % 3 = 0 THEN 'new' ELSE 'learning_shared' END,
            CASE WHEN i % 7 = 0 THEN {true} ELSE {false} END, {day},
            CASE WHEN i % 3 = 0 THEN NULL ELSE {later} END,
            'P' || (i % 400)
        FROM n
    """  # noqa: S608  # nosec B608  (numbers and our own column names only: no outside input)
    db.session.execute(text(statement), {"count": count, "year": year})
    rebuild_rollups(service_ids)  # plain SQL: the rollups are counted here, once
    db.session.commit()


def seed_bulk(reports: int, services: int) -> int:
    """Top the bulk organisation up to `services` services and add `reports` reports."""
    ids = bulk_services(services)
    if reports:
        generate_reports(reports, ids)
    return db.session.scalar(select(func.count()).select_from(text("report")))
