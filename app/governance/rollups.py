"""Monthly report rollups: the dashboard's report figures read these instead of every report.

Kept current in the same transaction as the change, by the code that makes it: every function
that creates reports calls `count_new(reports)` (one upsert per rollup row: a new report is +1
on its row), and every function that changes a counted column of a report (status, first
feedback, repeat ...) calls `recount(reports)`, which counts those reports' months again from
the reports (a GROUP BY over one service's month, through the service and date index). So the
rollup is always exactly what a fresh GROUP BY would give, and reading a service function shows
the rollup write. On PostgreSQL the service rows are locked first (FOR NO KEY UPDATE, which new
reports do not wait for), so two writers to one service recount one after the other and the
second sees the first's report.

The writers today: `reports.services` (submit, status, review, feedback),
`reports.anonymity` (the release of held reports) and the seeds. Writes that bypass the ORM
(`text()` SQL such as `seed-bulk`) call `rebuild()` or `refresh()` themselves;
`flask --app wsgi rollups rebuild` rebuilds everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime

import click
from flask import g, has_app_context
from flask.cli import AppGroup
from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import cache
from app.extensions import db
from app.governance.figures import Scope, add_months
from app.governance.sql import days_between, month_of
from app.models import (
    FeedbackDelayRollup,
    Report,
    ReportKind,
    ReportRollup,
    ReportStatus,
    Service,
)
from app.models.reports import SERIOUS_HARM

SHARED = (ReportStatus.LEARNING_SHARED, ReportStatus.CLOSED)
# The report columns a figure depends on: a change to any other column leaves the rollup alone.
_COUNTED = (
    "service_id",
    "created_at",
    "kind",
    "physical_harm",
    "category",
    "is_repeat",
    "status",
    "first_feedback_at",
)
_GROUP_COLUMNS = (
    "service_id",
    "month",
    "kind",
    "harm_band",
    "category",
    "is_repeat",
    "learning_shared",
)


def month_key(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m")


def _month_range(month: str):
    first = date(int(month[:4]), int(month[5:7]), 1)
    following = add_months(first, 1)
    return and_(
        Report.created_at >= datetime(first.year, first.month, 1, tzinfo=UTC),
        Report.created_at < datetime(following.year, following.month, 1, tzinfo=UTC),
    )


def _harm_band():
    return case(
        (Report.kind == ReportKind.NEAR_MISS, "near_miss"),
        (Report.physical_harm.in_(SERIOUS_HARM), "serious"),
        else_="incident",
    )


def _count_into_rollups(session, where) -> None:
    """INSERT ... SELECT the grouped counts of the reports matching `where`."""
    month = month_of(Report.created_at)
    shared = Report.status.in_(SHARED)
    groups = (
        Report.service_id,
        month,
        Report.kind,
        _harm_band(),
        Report.category,
        Report.is_repeat,
        shared,
    )
    session.execute(
        insert(ReportRollup).from_select(
            [*_GROUP_COLUMNS, "reports"],
            select(*groups, func.count()).where(where).group_by(*groups),
        )
    )
    delay = cast(
        func.round(days_between(Report.created_at, Report.first_feedback_at) * 86400), Integer
    )
    session.execute(
        insert(FeedbackDelayRollup).from_select(
            ["service_id", "month", "delay_seconds", "reports"],
            select(Report.service_id, month, delay, func.count())
            .where(where, Report.first_feedback_at.is_not(None))
            .group_by(Report.service_id, month, delay),
        )
    )


def refresh(keys: Iterable[tuple[int, str]], session=None) -> None:
    """Count the given (service id, month) pairs again, inside the current transaction."""
    session = session or db.session
    keys = sorted(set(keys))
    if not keys:
        return
    forget_rollup_rows()
    _lock_services(session, {service_id for service_id, _month in keys})
    for model in (ReportRollup, FeedbackDelayRollup):
        session.execute(
            delete(model).where(
                or_(*(and_(model.service_id == s, model.month == m) for s, m in keys))
            )
        )
    _count_into_rollups(
        session, or_(*(and_(Report.service_id == s, _month_range(m)) for s, m in keys))
    )


def add_new_reports(rows: Iterable[tuple], session=None) -> None:
    """Add brand-new reports to their rollup rows (one upsert per row, not a recount).

    A new report has no feedback yet, so only `report_rollup` changes. This is the path every
    report from the form and the offline outbox takes, so it is kept to a statement or two.
    """
    session = session or db.session
    counts = Counter(rows)
    if not counts:
        return
    forget_rollup_rows()
    _lock_services(session, {row[0] for row in counts})
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = ReportRollup.__table__
    for row, reports in sorted(counts.items()):
        statement = upsert(table).values(
            **dict(zip(_GROUP_COLUMNS, row, strict=True)), reports=reports
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=list(_GROUP_COLUMNS),
                set_={"reports": table.c.reports + statement.excluded.reports},
            )
        )


def _lock_services(session, service_ids: set[int]) -> None:
    """Writers of one service's rollups take turns (in id order, so they cannot deadlock)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite has one writer at a time anyway
    session.execute(
        select(Service.id)
        .where(Service.id.in_(sorted(service_ids)))
        .order_by(Service.id)
        .with_for_update(key_share=True)
    ).all()


def _rollup_row(report: Report) -> tuple:
    """The `report_rollup` key `_count_into_rollups` would file this report under."""
    if report.kind is ReportKind.NEAR_MISS:
        harm_band = "near_miss"
    elif report.physical_harm in SERIOUS_HARM:
        harm_band = "serious"
    else:
        harm_band = "incident"
    return (
        report.service_id,
        month_key(report.created_at),
        report.kind.value,
        harm_band,
        report.category.value,
        bool(report.is_repeat),
        report.status in SHARED,
    )


def rebuild(service_ids: Iterable[int] | None = None, session=None) -> None:
    """Count every month again (of the given services, or of all). The caller commits."""
    session = session or db.session
    ids = sorted(set(service_ids)) if service_ids is not None else None
    for model in (ReportRollup, FeedbackDelayRollup):
        statement = delete(model)
        if ids is not None:
            statement = statement.where(model.service_id.in_(ids))
        session.execute(statement)
    _count_into_rollups(session, Report.service_id.in_(ids) if ids is not None else true())
    forget_rollup_rows()


# -- Reading ----------------------------------------------------------------------------------


def rollup_rows(scope: Scope) -> list:
    """Every rollup row in scope, summed over its services: one query, remembered for the
    rest of the request (or app context) so each report figure reads it without a query."""
    cache = g.setdefault("report_rollup_rows", {})
    if scope not in cache:
        month = ReportRollup.month
        groups = (
            month,
            ReportRollup.kind,
            ReportRollup.harm_band,
            ReportRollup.category,
            ReportRollup.is_repeat,
            ReportRollup.learning_shared,
        )
        cache[scope] = db.session.execute(
            select(*groups, func.sum(ReportRollup.reports).label("n"))
            .where(
                ReportRollup.service_id.in_(scope.service_ids),
                month >= scope.first_month.strftime("%Y-%m"),
                month <= scope.last_month.strftime("%Y-%m"),
            )
            .group_by(*groups)
        ).all()
    return cache[scope]


def forget_rollup_rows() -> None:
    """Every rollup write calls this, so figures read after it in the same request are fresh."""
    if has_app_context():
        g.pop("report_rollup_rows", None)


def rollup_counts(scope: Scope, where=None, split=None) -> dict:
    """{(month, split(row)): count}, or {month: count} without `split`, over the rollup rows
    in scope for which `where(row)` holds. Rows have month, kind, harm_band, category,
    is_repeat and learning_shared."""
    result: dict = {}
    for row in rollup_rows(scope):
        if where is not None and not where(row):
            continue
        key = (row.month, split(row)) if split is not None else row.month
        result[key] = result.get(key, 0) + int(row.n)
    return result


def median_days_to_feedback(scope: Scope) -> float | None:
    """The median of the days from report to first feedback, from the delay histogram."""
    month = FeedbackDelayRollup.month
    rows = db.session.execute(
        select(FeedbackDelayRollup.delay_seconds, func.sum(FeedbackDelayRollup.reports))
        .where(
            FeedbackDelayRollup.service_id.in_(scope.service_ids),
            month >= scope.first_month.strftime("%Y-%m"),
            month <= scope.last_month.strftime("%Y-%m"),
        )
        .group_by(FeedbackDelayRollup.delay_seconds)
        .order_by(FeedbackDelayRollup.delay_seconds)
    ).all()
    total = sum(int(n) for _delay, n in rows)
    if not total:
        return None
    wanted = [(total - 1) // 2] if total % 2 else [total // 2 - 1, total // 2]
    middle, seen = [], 0
    for delay, n in rows:
        while wanted and wanted[0] < seen + int(n):
            middle.append(delay)
            wanted.pop(0)
        seen += int(n)
    return sum(middle) / len(middle) / 86400


# -- Keeping the rollups current: called by the functions that write reports ------------------


def count_new(reports: Iterable[Report], session=None) -> None:
    """Add brand-new reports (added to the session, not yet committed) to their rollup rows.

    Every path that creates reports calls this in the same transaction, so a rolled-back
    report is never counted. The reports are flushed first so that a recount later in the
    same transaction sees them once, not twice.
    """
    session = session or db.session
    reports = list(reports)
    if not reports:
        return
    session.flush()
    add_new_reports([_rollup_row(report) for report in reports], session)


def recount(reports: Iterable[Report], session=None) -> None:
    """Count again the months of reports whose counted columns (`_COUNTED`) have changed.

    Call it after the change, in the same transaction. A report's service and creation time
    never change once it is saved, so its current month is the one to count.
    """
    session = session or db.session
    reports = list(reports)
    if not reports:
        return
    session.flush()
    refresh({(report.service_id, month_key(report.created_at)) for report in reports}, session)


# -- `flask --app wsgi rollups rebuild` ---------------------------------------------------------

rollups_cli = AppGroup("rollups", help="The dashboard's monthly report rollups.")


@rollups_cli.command("rebuild")
def rebuild_command() -> None:
    """Count every service's months again from the reports."""
    rebuild()
    db.session.commit()
    cache.bump_everything()  # rollup rows do not count as changes (app/cache.py): say so here
    rows = db.session.scalar(select(func.count()).select_from(ReportRollup))
    click.echo(f"Rollups rebuilt: {rows} rows.")
