"""Reading the audit trail for an admin: only their organisation's entries.

An entry belongs to the organisation when its service is one of the organisation's, or, for
entries with no service (the command line), when the person who acted works there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.auth.policy import visible_service_ids
from app.extensions import db
from app.models import AuditEntry, Service, User

PAGE_SIZE = 50


@dataclass
class AuditFilters:
    action: str = ""
    person_id: int | None = None
    service_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class AuditPage:
    rows: list  # (AuditEntry, actor name or None, service name or None)
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _scope(admin: User):
    services = visible_service_ids(admin)
    staff = select(User.id).where(User.service_id.in_(services))
    return or_(
        AuditEntry.service_id.in_(services),
        and_(AuditEntry.service_id.is_(None), AuditEntry.actor_id.in_(staff)),
    )


def _conditions(admin: User, filters: AuditFilters) -> list:
    conditions = [_scope(admin)]
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.person_id:
        conditions.append(AuditEntry.actor_id == filters.person_id)
    if filters.service_id:
        conditions.append(AuditEntry.service_id == filters.service_id)
    if filters.since:
        conditions.append(AuditEntry.created_at >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        conditions.append(AuditEntry.created_at < end)
    return conditions


def audit_page(admin: User, filters: AuditFilters, page: int = 1) -> AuditPage:
    """One page of entries, newest first, in two queries whatever the page size."""
    conditions = _conditions(admin, filters)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditEntry, actor.name, Service.name)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .outerjoin(Service, Service.id == AuditEntry.service_id)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return AuditPage(rows=[tuple(row) for row in rows], page=page, total=total or 0)


def filter_choices(admin: User) -> dict[str, list[tuple[str, str]]]:
    """The options for the filters: actions seen, people and services of the organisation."""
    services = visible_service_ids(admin)
    actions = db.session.scalars(
        select(AuditEntry.action).where(_scope(admin)).distinct().order_by(AuditEntry.action)
    ).all()
    people = db.session.execute(
        select(User.id, User.name).where(User.service_id.in_(services)).order_by(User.name)
    ).all()
    service_rows = db.session.execute(
        select(Service.id, Service.name).where(Service.id.in_(services)).order_by(Service.name)
    ).all()
    return {
        "action": [("", "Anything")] + [(a, a) for a in actions],
        "person": [("", "Anyone")] + [(str(i), n) for i, n in people],
        "service": [("", "Every service")] + [(str(i), n) for i, n in service_rows],
    }
