"""Finding the safeguarding records a page shows, always within what the viewer may see.

The pages (views.py) parse the request, call these or a service in services.py, and render;
the counting for trends and the dashboard is in queries.py. Every list here is limited with
`in_scope` or to one service the caller has already checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from app.auth.policy import in_scope
from app.extensions import db
from app.models import (
    BestInterestsDecision,
    Category,
    Debrief,
    LibertyAuthorisation,
    LibertyStatus,
    PbsReview,
    PositiveRiskSession,
    Report,
    RestraintType,
    RestrictivePractice,
    SafeguardingConcern,
    User,
)

UK = ZoneInfo("Europe/London")
LOG_LIMIT = 200


@dataclass(frozen=True)
class LogFilter:
    """What a log page is narrowed to: one person, a UK date range, only those needing action."""

    person: str | None = None
    start: date | None = None
    end: date | None = None  # inclusive
    needing_action: bool = False
    restraint_type: RestraintType | None = None


def _in_dates(column, log: LogFilter) -> list:
    conditions = []
    if log.start:
        conditions.append(column >= datetime.combine(log.start, time(), UK))
    if log.end:
        conditions.append(column < datetime.combine(log.end + timedelta(days=1), time(), UK))
    return conditions


# ---------------------------------------------------------------- overview


def restrictions_needing_attention(viewer: User, limit: int = 10) -> list[RestrictivePractice]:
    """The newest restrictions with any flag (RestrictivePractice.needs_attention)."""
    return db.session.scalars(
        select(RestrictivePractice)
        .where(
            in_scope(viewer, RestrictivePractice.service_id),
            RestrictivePractice.needs_attention,
        )
        .order_by(RestrictivePractice.started_at.desc())
        .limit(limit)
    ).all()


def people_with_restrictions(viewer: User) -> list:
    """(service_id, person_reference, restrictions, latest) per person, latest first."""
    latest = func.max(RestrictivePractice.started_at)
    return db.session.execute(
        select(
            RestrictivePractice.service_id,
            RestrictivePractice.person_reference,
            func.count(),
            latest,
        )
        .where(in_scope(viewer, RestrictivePractice.service_id))
        .group_by(RestrictivePractice.service_id, RestrictivePractice.person_reference)
        .order_by(latest.desc())
    ).all()


def reviews_overdue(viewer: User, today: date) -> list:
    """(service_id, person_reference, next review date) for each person whose PBS review is
    past its date."""
    next_review = func.max(PbsReview.next_review_on)
    return db.session.execute(
        select(PbsReview.service_id, PbsReview.person_reference, next_review)
        .where(in_scope(viewer, PbsReview.service_id))
        .group_by(PbsReview.service_id, PbsReview.person_reference)
        .having(next_review < today)
        .order_by(next_review)
    ).all()


def decisions_due(viewer: User, today: date, within_days: int = 30) -> list:
    """Best-interests decisions due for review within `within_days` (or already past)."""
    return db.session.scalars(
        select(BestInterestsDecision)
        .where(
            in_scope(viewer, BestInterestsDecision.service_id),
            BestInterestsDecision.review_on < today + timedelta(days=within_days),
        )
        .order_by(BestInterestsDecision.review_on)
        .limit(10)
    ).all()


def liberty_needing_action(viewer: User, today: date) -> list[tuple[LibertyAuthorisation, list]]:
    """Register entries with an outcome not told to CQC, an expiry near or past, or a refusal,
    each with its flags (LibertyAuthorisation.flags)."""
    records = db.session.scalars(
        select(LibertyAuthorisation)
        .where(
            in_scope(viewer, LibertyAuthorisation.service_id),
            LibertyAuthorisation.status != LibertyStatus.APPLIED,
        )
        .order_by(LibertyAuthorisation.expires_on)
        .limit(100)
    )
    return [(r, flags) for r in records if (flags := r.flags(today))][:10]


def restriction_reports_waiting(user):
    """Restrictive practice reports in scope that have no restrictive practice record yet
    (a query, so the home panel can count it and the overview list it)."""
    return (
        select(Report)
        .where(
            in_scope(user, Report.service_id),
            Report.category == Category.RESTRICTIVE_PRACTICE,
            ~exists().where(RestrictivePractice.report_id == Report.id),
        )
        .order_by(Report.created_at.desc())
    )


def concern_reports_waiting(user):
    """Safeguarding reports in scope that have no safeguarding concern recorded yet."""
    return (
        select(Report)
        .where(
            in_scope(user, Report.service_id),
            Report.category == Category.SAFEGUARDING,
            ~exists().where(SafeguardingConcern.report_id == Report.id),
        )
        .order_by(Report.created_at.desc())
    )


def reports_waiting(viewer: User, *, concerns: bool) -> tuple[list[Report], list[Report]]:
    """(restrictive practice reports with no record, safeguarding reports with no concern: the
    second for managers only, when `concerns`), the newest 20 of each."""
    restrictions = db.session.scalars(restriction_reports_waiting(viewer).limit(20)).all()
    if not concerns:
        return restrictions, []
    return restrictions, db.session.scalars(concern_reports_waiting(viewer).limit(20)).all()


# ---------------------------------------------------------------- restrictive practice


def restriction_log(viewer: User, log: LogFilter) -> list[RestrictivePractice]:
    query = (
        select(RestrictivePractice)
        .where(in_scope(viewer, RestrictivePractice.service_id))
        .where(*_in_dates(RestrictivePractice.started_at, log))
        .options(selectinload(RestrictivePractice.service))
        .order_by(RestrictivePractice.started_at.desc())
    )
    if log.person:
        query = query.where(RestrictivePractice.person_reference == log.person)
    if log.restraint_type:
        query = query.where(RestrictivePractice.restraint_type == log.restraint_type)
    if log.needing_action:
        query = query.where(RestrictivePractice.needs_attention)
    return db.session.scalars(query.limit(LOG_LIMIT)).all()


def recent_restrictions(viewer: User, limit: int = 30) -> list[RestrictivePractice]:
    return db.session.scalars(
        select(RestrictivePractice)
        .where(in_scope(viewer, RestrictivePractice.service_id))
        .order_by(RestrictivePractice.started_at.desc())
        .limit(limit)
    ).all()


def restriction_for_report(report_id: int) -> int | None:
    """The id of the restriction already recorded from this report, if any."""
    return db.session.scalars(
        select(RestrictivePractice.id).where(RestrictivePractice.report_id == report_id)
    ).first()


def report_in_scope(viewer: User, report_id: int | None) -> Report | None:
    """A report the viewer's scope reaches (managers and supervisors record from it)."""
    return db.session.scalars(
        select(Report).where(Report.id == report_id, in_scope(viewer, Report.service_id))
    ).first()


def best_interests_for(service_id: int | None, reference: str | None) -> list:
    """The person's best-interests decisions, newest first (none without both)."""
    if not (service_id and reference):
        return []
    return db.session.scalars(
        select(BestInterestsDecision)
        .where(
            BestInterestsDecision.service_id == service_id,
            BestInterestsDecision.person_reference == reference,
        )
        .order_by(BestInterestsDecision.decided_on.desc())
    ).all()


def restrictions_under(decision: BestInterestsDecision) -> list[RestrictivePractice]:
    return db.session.scalars(
        select(RestrictivePractice)
        .where(RestrictivePractice.best_interests_id == decision.id)
        .order_by(RestrictivePractice.started_at.desc())
    ).all()


# ---------------------------------------------------------------- the per-person register


@dataclass
class PersonRecords:
    restrictions: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    concerns: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.restrictions, self.reviews, self.decisions, self.sessions, self.concerns))


def person_records(service_id: int, reference: str, *, with_concerns: bool) -> PersonRecords:
    """Everything recorded about one person in one service (concerns for managers only)."""
    where = {"service_id": service_id, "person_reference": reference}
    found = PersonRecords(
        restrictions=db.session.scalars(
            select(RestrictivePractice)
            .filter_by(**where)
            .options(selectinload(RestrictivePractice.best_interests))
            .order_by(RestrictivePractice.started_at.desc())
        ).all(),
        reviews=db.session.scalars(
            select(PbsReview)
            .filter_by(**where)
            .options(selectinload(PbsReview.reports), selectinload(PbsReview.debriefs))
            .order_by(PbsReview.reviewed_on.desc(), PbsReview.id.desc())
        ).all(),
        decisions=db.session.scalars(
            select(BestInterestsDecision)
            .filter_by(**where)
            .order_by(BestInterestsDecision.decided_on.desc())
        ).all(),
        sessions=db.session.scalars(
            select(PositiveRiskSession)
            .filter_by(**where)
            .order_by(PositiveRiskSession.held_on.desc())
        ).all(),
    )
    if with_concerns:
        found.concerns = db.session.scalars(
            select(SafeguardingConcern)
            .filter_by(**where)
            .order_by(SafeguardingConcern.raised_at.desc())
        ).all()
    return found


def review_sources(service_id: int, reference: str) -> tuple[list[Report], list[Debrief]]:
    """What a PBS review may draw on: the person's reports and the service's debriefs."""
    reports = db.session.scalars(
        select(Report)
        .where(Report.service_id == service_id, Report.person_reference == reference)
        .order_by(Report.occurred_on.desc())
        .limit(50)
    ).all()
    debriefs = db.session.scalars(
        select(Debrief)
        .where(Debrief.service_id == service_id)
        .options(selectinload(Debrief.reports))
        .order_by(Debrief.held_on.desc(), Debrief.id.desc())
        .limit(50)
    ).all()
    return reports, debriefs


# ---------------------------------------------------------------- concerns and liberty


def concern_log(viewer: User, log: LogFilter) -> list[SafeguardingConcern]:
    """Concerns, those waiting for escalation first."""
    query = (
        select(SafeguardingConcern)
        .where(in_scope(viewer, SafeguardingConcern.service_id))
        .where(*_in_dates(SafeguardingConcern.raised_at, log))
        .options(selectinload(SafeguardingConcern.service))
        .order_by(
            SafeguardingConcern.escalated_at.is_not(None), SafeguardingConcern.raised_at.desc()
        )
    )
    if log.person:
        query = query.where(SafeguardingConcern.person_reference == log.person)
    if log.needing_action:
        query = query.where(SafeguardingConcern.escalated_at.is_(None))
    return db.session.scalars(query.limit(LOG_LIMIT)).all()


def liberty_register(viewer: User, today: date) -> list[LibertyAuthorisation]:
    """Every application, newest first, those needing action before the rest."""
    records = db.session.scalars(
        select(LibertyAuthorisation)
        .where(in_scope(viewer, LibertyAuthorisation.service_id))
        .options(selectinload(LibertyAuthorisation.service))
        .order_by(LibertyAuthorisation.applied_on.desc())
        .limit(LOG_LIMIT)
    ).all()
    return sorted(records, key=lambda r: not r.flags(today))
