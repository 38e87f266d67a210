"""Small, hand-countable report data for the dashboard and evidence tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from app.extensions import db
from app.models import Category, PhysicalHarm, Report, ReportKind, ReportStatus


def when(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def report_row(service_id: int, created_at: datetime, **overrides) -> dict:
    row = {
        "service_id": service_id,
        "kind": ReportKind.NEAR_MISS,
        "category": Category.FALLS,
        "description": "A slip on a wet floor was caught in time.",
        "occurred_on": created_at.date(),
        "occurred_at": created_at,
        "status": ReportStatus.NEW,
        "is_repeat": False,
        "anonymous": False,
        "follow_up": {},
        "created_at": created_at,
    }
    row.update(overrides)
    return row


def add_reports(rows: list[dict]) -> None:
    """Bulk insert in one statement: fast enough for 100,000 rows in a test."""
    db.session.execute(insert(Report), rows)
    db.session.commit()


def incident(service_id: int, created_at: datetime, harm=PhysicalHarm.LOW, **overrides) -> dict:
    return report_row(
        service_id, created_at, kind=ReportKind.INCIDENT, physical_harm=harm, **overrides
    )


def feedback(created_at: datetime, days: float) -> dict:
    return {
        "first_feedback_at": created_at + timedelta(days=days),
        "status": ReportStatus.LEARNING_SHARED,
    }


def add_many_reports(count: int, service_ids: list[int], year: int) -> None:
    """Generate `count` reports inside the database: two years of mixed reports, some repeats,
    two thirds with feedback. One INSERT ... SELECT, so 100,000 rows take a second or two."""
    postgres = db.engine.dialect.name == "postgresql"
    day = (
        "make_timestamptz(:year, 1, 1, 12, 0, 0, 'UTC') + (i % 730) * interval '1 day'"
        if postgres
        else "datetime(:year || '-01-01 12:00:00', '+' || (i % 730) || ' days')"
    )
    later = (
        f"{day} + (i % 9) * interval '1 day'"
        if postgres
        else f"datetime({day}, '+' || (i % 9) || ' days')"
    )
    true, false = ("true", "false") if postgres else ("1", "0")
    services = " ".join(f"WHEN {n} THEN {sid}" for n, sid in enumerate(service_ids))
    db.session.execute(
        text(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
            INSERT INTO report (service_id, anonymous, kind, category, description, time_bracket,
                occurred_at, occurred_on, physical_harm, follow_up, status, is_repeat, created_at,
                first_feedback_at)
            SELECT CASE i % {len(service_ids)} {services} END, {false},
                CASE WHEN i % 3 = 0 THEN 'near_miss' ELSE 'incident' END,
                CASE WHEN i % 5 = 0 THEN 'medication' ELSE 'falls' END,
                'Generated report', 'exact', {day}, CAST({day} AS DATE),
                CASE WHEN i % 3 = 0 THEN NULL WHEN i % 11 = 0 THEN 'moderate' ELSE 'low' END,
                '{{}}', CASE WHEN i % 3 = 0 THEN 'new' ELSE 'learning_shared' END,
                CASE WHEN i % 7 = 0 THEN {true} ELSE {false} END, {day},
                CASE WHEN i % 3 = 0 THEN NULL ELSE {later} END
            FROM n
            """  # noqa: S608  (no user input: numbers and our own column names)
        ),
        {"count": count, "year": year},
    )
    db.session.commit()
