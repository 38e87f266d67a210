"""The demo year of reports shows the pattern LearnLoop is for, and seeding twice adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import Report
from app.models.reports import Category, ReportKind
from app.seed import seed_demo


def _months_ago(report: Report, now: datetime) -> int:
    return min(11, (now - report.created_at).days // 30)


def test_demo_reports_rise_then_repeats_and_medication_incidents_fall(app):
    with app.app_context():
        seed_demo()
        count = db.session.scalar(select(func.count(Report.id)))
        seed_demo()
        assert db.session.scalar(select(func.count(Report.id))) == count
        now = datetime.now(UTC)
        reports = db.session.scalars(select(Report)).all()
        assert len({r.service_id for r in reports}) == 2
        near_misses = Counter(
            _months_ago(r, now) for r in reports if r.kind is ReportKind.NEAR_MISS
        )
        medication = Counter(
            _months_ago(r, now)
            for r in reports
            if r.kind is ReportKind.INCIDENT and r.category is Category.MEDICATION
        )
        repeats = Counter(_months_ago(r, now) for r in reports if r.is_repeat)
        first_quarter = range(9, 12)
        last_quarter = range(0, 3)

        def total(counter, months):
            return sum(counter[m] for m in months)

        assert total(near_misses, last_quarter) > 2 * total(near_misses, first_quarter)
        assert total(medication, last_quarter) < total(medication, first_quarter)
        assert total(repeats, last_quarter) < total(repeats, range(6, 9))
        assert all(r.reporter_id is None for r in reports if r.anonymous)
