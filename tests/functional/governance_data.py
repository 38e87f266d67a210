"""Small, hand-countable report data for the dashboard and evidence tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from app.extensions import db
from app.governance import rollups
from app.models import Category, PhysicalHarm, Report, ReportKind, ReportStatus
from app.models.reports import REPORT_ID_FLOOR
from app.seed.bulk import generate_reports


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


_numbers = itertools.count(REPORT_ID_FLOOR)


def add_reports(rows: list[dict]) -> None:
    """Bulk insert in one statement: fast enough for 100,000 rows in a test. The rows bring
    their own report numbers: random ones drawn for one statement could meet each other."""
    for row in rows:
        row.setdefault("id", next(_numbers))
    db.session.execute(insert(Report), rows)
    # A bulk insert bypasses the service functions, so it recounts their months itself.
    rollups.refresh({(row["service_id"], rollups.month_key(row["created_at"])) for row in rows})
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
    """Generate `count` reports inside the database (see app.seed.bulk)."""
    generate_reports(count, service_ids, year)
