"""Read-only queries for managers' views and the governance dashboard, aggregated in SQL.

Each takes `service_ids` (a list of ids or a subquery such as `visible_service_ids(user)`)
and a half-open UTC range [start, end), so the dashboard can call them for any scope.

    from app.safeguarding.queries import restrictive_practice_by_month, escalation_times
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import RestraintType, RestrictivePractice, SafeguardingConcern
from app.models.base import utcnow


def _month(column):
    """'YYYY-MM' of a UTC timestamp column, on SQLite and PostgreSQL alike."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _hours_between(later, earlier):
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


@dataclass(frozen=True)
class MonthCount:
    month: str  # "YYYY-MM"
    restraint_type: RestraintType
    count: int


def restrictive_practice_by_month(
    service_ids, start: datetime, end: datetime, person_reference: str | None = None
) -> list[MonthCount]:
    """Restrictions per month and type, oldest month first."""
    month = _month(RestrictivePractice.started_at).label("month")
    query = (
        select(month, RestrictivePractice.restraint_type, func.count().label("n"))
        .where(
            RestrictivePractice.service_id.in_(service_ids),
            RestrictivePractice.started_at >= start,
            RestrictivePractice.started_at < end,
        )
        .group_by(month, RestrictivePractice.restraint_type)
        .order_by(month, RestrictivePractice.restraint_type)
    )
    if person_reference is not None:
        query = query.where(RestrictivePractice.person_reference == person_reference)
    return [MonthCount(m, t, n) for m, t, n in db.session.execute(query)]


@dataclass(frozen=True)
class RestrictionSummary:
    total: int
    unplanned: int
    needing_best_interests: int
    with_best_interests: int

    @property
    def unplanned_share(self) -> float | None:
        return self.unplanned / self.total if self.total else None

    @property
    def best_interests_share(self) -> float | None:
        """Of the restrictions where capacity was lacking, the share with a decision linked."""
        if not self.needing_best_interests:
            return None
        return self.with_best_interests / self.needing_best_interests


def restrictive_practice_summary(service_ids, start: datetime, end: datetime) -> RestrictionSummary:
    """Totals for the range: all, unplanned (informal or not in plan), and best-interests cover,
    by the model's own rules (RestrictivePractice.is_unplanned, needs_best_interests)."""
    rp = RestrictivePractice
    needing = rp.needs_best_interests
    row = db.session.execute(
        select(
            func.count(),
            func.count().filter(rp.is_unplanned),
            func.count().filter(needing),
            func.count().filter(needing, rp.best_interests_id.is_not(None)),
        ).where(rp.service_id.in_(service_ids), rp.started_at >= start, rp.started_at < end)
    ).one()
    return RestrictionSummary(*(int(v) for v in row))


@dataclass(frozen=True)
class EscalationTimes:
    concerns: int
    escalated: int
    within_limit: int  # escalated within the configured hours
    outstanding_over_limit: int  # not escalated and older than the limit (at `now`)
    average_hours: float | None
    longest_hours: float | None


def escalation_times(
    service_ids, start: datetime, end: datetime, *, hours: float, now: datetime | None = None
) -> EscalationTimes:
    """How quickly concerns raised in the range reached the local authority."""
    sc = SafeguardingConcern
    now = now or utcnow()
    taken = _hours_between(sc.escalated_at, sc.raised_at)
    escalated = sc.escalated_at.is_not(None)
    overdue_before = now - timedelta(hours=hours)
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((escalated, 1), else_=0)), 0),
            func.coalesce(func.sum(case((escalated & (taken <= hours), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((~escalated & (sc.raised_at < overdue_before), 1), else_=0)), 0
            ),
            func.avg(case((escalated, taken))),
            func.max(case((escalated, taken))),
        ).where(sc.service_id.in_(service_ids), sc.raised_at >= start, sc.raised_at < end)
    ).one()
    count, done, within, overdue, average, longest = row
    return EscalationTimes(
        concerns=int(count),
        escalated=int(done),
        within_limit=int(within),
        outstanding_over_limit=int(overdue),
        average_hours=round(float(average), 1) if average is not None else None,
        longest_hours=round(float(longest), 1) if longest is not None else None,
    )
