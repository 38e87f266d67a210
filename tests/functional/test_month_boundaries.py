"""Figures count each row in its UTC month, as the date filters do, even when the database
connection runs in another time zone (a UK server's PostgreSQL often does)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from app.extensions import db
from app.governance.figures import Scope, counts_by_month
from app.models import Action


def test_a_row_late_on_the_last_day_counts_in_that_month(app, world):
    with app.app_context():
        db.session.add(
            Action(
                service_id=world.willow.id,
                description="Night checks every hour",
                due_on=date(2026, 8, 1),
                created_at=datetime(2026, 7, 1, tzinfo=UTC),
                done_at=datetime(2026, 7, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 August in London
            )
        )
        db.session.commit()
        postgresql = db.engine.dialect.name == "postgresql"  # SQLite has no time zones
        if postgresql:
            db.session.execute(text("SET TIME ZONE 'Europe/London'"))
        july = Scope((world.willow.id,), date(2026, 7, 1), date(2026, 7, 1))
        assert counts_by_month(july, Action.done_at, Action.done_at.is_not(None)) == {"2026-07": 1}
        if postgresql:
            db.session.execute(text("RESET TIME ZONE"))
