"""The retention review lists records past their period for a person to decide; deletes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app import retention
from app.extensions import db
from app.models import Category, PhysicalHarm, Report, ReportKind


def _report(service_id: int, occurred_on: date, harm: PhysicalHarm | None) -> int:
    report = Report(
        service_id=service_id,
        kind=ReportKind.INCIDENT,
        category=Category.FALLS,
        description="Found on the floor by the bed.",
        occurred_on=occurred_on,
        physical_harm=harm,
    )
    db.session.add(report)
    db.session.flush()
    return report.id


def test_reports_past_retention_are_listed_and_serious_ones_kept_twenty_years(app, world):
    today = date(2026, 11, 26)
    with app.app_context():
        old_minor = _report(world.willow.id, date(2015, 1, 10), PhysicalHarm.LOW)
        old_unknown = _report(world.willow.id, date(2016, 11, 25), None)
        recent_minor = _report(world.willow.id, date(2017, 1, 10), PhysicalHarm.NONE)
        old_serious = _report(world.willow.id, date(2015, 1, 10), PhysicalHarm.SEVERE)
        ancient_serious = _report(world.riverside.id, date(2006, 11, 1), PhysicalHarm.MODERATE)
        db.session.commit()
        due = {record.record_id: record for record in retention.review(today)}
    assert set(due) == {old_minor, old_unknown, ancient_serious}
    assert due[ancient_serious].serious and not due[old_minor].serious
    assert recent_minor not in due and old_serious not in due


def test_retention_periods_are_configurable(app, world):
    with app.app_context():
        report_id = _report(world.willow.id, date(2020, 1, 1), PhysicalHarm.SEVERE)
        db.session.commit()
    app.config["RETENTION_SERIOUS_YEARS"] = 5
    try:
        with app.app_context():
            assert [r.record_id for r in retention.review(date(2026, 1, 2))] == [report_id]
    finally:
        app.config["RETENTION_SERIOUS_YEARS"] = 20


def test_retention_review_command_lists_and_deletes_nothing(app, world):
    with app.app_context():
        _report(world.willow.id, date(2001, 3, 1), PhysicalHarm.LOW)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "review"])
    assert result.exit_code == 0, result.output
    assert "Safety reports #" in result.output
    assert "Nothing was deleted" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_features_register_their_records_once(app):
    rule = retention.RULES[0]
    retention.register(rule)
    assert [r.label for r in retention.RULES].count("Safety reports") == 1
    assert retention.years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
