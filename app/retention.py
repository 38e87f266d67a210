"""How long records are kept, and the review that lists those past it.

Features register their models here with `register()`: which date the period runs from,
and which records count as serious (kept longer). `flask --app wsgi retention review`
lists every record past its period so a person can decide what to do. Nothing is deleted:
deleting is a decision for the provider's data protection lead, not for a script.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db


@dataclass(frozen=True)
class RetentionRule:
    label: str  # plain words: "Safety reports"
    model: type
    date_column: InstrumentedAttribute  # the period runs from this date
    serious: ColumnElement[bool] | None = None  # SQL: records kept for the serious period


RULES: list[RetentionRule] = []


def register(rule: RetentionRule) -> RetentionRule:
    if all(existing.label != rule.label for existing in RULES):
        RULES.append(rule)
    return rule


@dataclass(frozen=True)
class DueRecord:
    label: str
    record_id: int
    service_id: int | None
    dated: date
    serious: bool


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _bound(column, day: date):
    """Compare a Date column with a date, a DateTime column with midnight UTC that day."""
    if column.type.python_type is datetime:
        return datetime.combine(day, time(), UTC)
    return day


def review(today: date | None = None) -> list[DueRecord]:
    """Every record past its retention period, oldest first within each rule."""
    today = today or datetime.now(UTC).date()
    normal_years = current_app.config["RETENTION_YEARS"]
    serious_years = current_app.config["RETENTION_SERIOUS_YEARS"]
    due: list[DueRecord] = []
    for rule in RULES:
        column = rule.date_column
        serious = rule.serious if rule.serious is not None else false()
        normal_cutoff = _bound(column, years_before(today, normal_years))
        serious_cutoff = _bound(column, years_before(today, serious_years))
        rows = db.session.execute(
            select(rule.model.id, rule.model.service_id, column, serious)
            .where(
                or_(
                    (serious.is_(True)) & (column < serious_cutoff),
                    (serious.is_not(True)) & (column < normal_cutoff),
                )
            )
            .order_by(column)
        ).all()
        for record_id, service_id, dated, is_serious in rows:
            if isinstance(dated, datetime):
                dated = dated.date()
            due.append(DueRecord(rule.label, record_id, service_id, dated, bool(is_serious)))
    return due


def _register_core() -> None:
    from app.models.reports import SERIOUS_HARM, Report

    # Serious is Report.is_serious in SQL: moderate or worse physical harm.
    register(
        RetentionRule(
            "Safety reports",
            Report,
            Report.occurred_on,
            serious=Report.physical_harm.in_(SERIOUS_HARM),
        )
    )


_register_core()
