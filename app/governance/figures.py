"""Dashboard figures. Each is one function of a `Scope` (services and months) returning a `Figure`
with its monthly series, a one-line reading computed from the data, and the table behind it.

Areas register their own figures with `@figure(order)` in their own package (app/reports/figures.py,
app/debriefs/figures.py, ...), so the dashboard and the evidence pack show whatever the product
holds without knowing every area. Every figure costs a fixed number
of queries (GROUP BY in SQL), whatever the number of records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from sqlalchemy import and_, func, select

from app.extensions import db
from app.models.base import add_months
from app.registry import Registry

QUARTER = 3  # months compared at each end of the range for the readings


@dataclass(frozen=True)
class Scope:
    """Which services and which whole months a figure covers."""

    service_ids: tuple[int, ...]
    first_month: date  # the 1st of the first month
    last_month: date  # the 1st of the last month

    @property
    def start(self) -> datetime:
        return datetime(self.first_month.year, self.first_month.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the range."""
        following = add_months(self.last_month, 1)
        return datetime(following.year, following.month, 1, tzinfo=UTC)

    @property
    def last_day(self) -> date:
        """The last day of the range, for date columns (held_on, started_on ...)."""
        return self.end.date() - timedelta(days=1)

    def dates_in_range(self, column):
        return and_(column >= self.first_month, column <= self.last_day)

    @property
    def months(self) -> list[str]:
        """'YYYY-MM' of each month, in order (a fresh list: a figure may keep it)."""
        return list(self._months)

    @cached_property
    def _months(self) -> tuple[str, ...]:
        """Worked out once per scope: every figure asks for the months several times."""
        months, current = [], self.first_month
        while current <= self.last_month:
            months.append(current.strftime("%Y-%m"))
            current = add_months(current, 1)
        return tuple(months)

    def in_range(self, column):
        return and_(column >= self.start, column < self.end)


def month_name(month: str) -> str:
    """ "2025-12" reads "December 2025"."""
    year, number = month.split("-")
    return f"{date(int(year), int(number), 1):%B} {year}"


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Figure:
    key: str
    title: str
    reading: str
    months: list[str]
    series: list[Series]
    chart: str = "bar"  # bar, stacked or line
    unit: str = ""
    headline: str | None = None  # a big number for the top row, e.g. "62%"
    headline_label: str | None = None
    quality_statement: str = "Learning culture"
    evidence_category: str = "Processes"
    extra_rows: list[tuple[str, str]] = field(default_factory=list)

    def table(self) -> tuple[list[str], list[list]]:
        headers = ["Month", *[s.name for s in self.series]]
        rows = [
            [month, *[s.values[index] for s in self.series]]
            for index, month in enumerate(self.months)
        ]
        return headers, rows


FIGURES = Registry("dashboard figures")


def figure(order: int) -> Callable:
    """Register a figure function `build(scope) -> Figure | None`; lower orders show first.
    Each area registers its own from its package (app/reports/figures.py, ...)."""
    return FIGURES.register(order)


def figures_for(scope: Scope) -> list[Figure]:
    """Every registered figure for `scope`, in order; a builder returning None is left out."""
    return [built for _entry, built in FIGURES.built(scope)]


def monthly(scope: Scope, series: dict[str, dict[str, float]]) -> list[Series]:
    """Turn {series name: {month: value}} into aligned series, 0 for empty months."""
    return [
        Series(name, [values.get(month, 0) for month in scope.months])
        for name, values in series.items()
    ]


def counts_by_month(scope: Scope, date_column, *conditions, extra=None) -> dict:
    """{(month, extra value): count} for rows in scope, grouped in SQL."""
    from app.governance.sql import month_of

    model_table = date_column.class_
    month = month_of(date_column).label("month")
    columns = [month] + ([extra.label("extra")] if extra is not None else [])
    query = (
        select(*columns, func.count().label("n"))
        .where(model_table.service_id.in_(scope.service_ids), scope.in_range(date_column))
        .where(*conditions)
        .group_by(*[c for c in columns])
    )
    result = {}
    for row in db.session.execute(query):
        key = (row.month, row.extra) if extra is not None else row.month
        result[key] = row.n
    return result


def trend_reading(label: str, values: list[float | None], *, unit: str = "") -> str:
    """Compare the first and last quarter of the range: "Near-miss reports up 40%"."""
    span = min(QUARTER, len(values) // 2)
    if span == 0:
        return f"{label}: not enough months to compare."
    first = sum(v or 0 for v in values[:span])
    last = sum(v or 0 for v in values[-span:])
    if unit == "%":
        first, last = first / span, last / span
        change = round(last - first)
        if change == 0:
            return f"{label} steady at about {round(last)}%."
        direction = "up" if change > 0 else "down"
        return f"{label} {direction} {abs(change)} points (from {round(first)}% to {round(last)}%)."
    if first == 0 and last == 0:
        return f"{label}: none at the start or the end of this period."
    if first == 0:
        return f"{label} up from none to {fmt(last)}."
    percent = round(100 * (last - first) / first)
    if percent == 0:
        return f"{label} steady ({fmt(first)} then {fmt(last)})."
    direction = "up" if percent > 0 else "down"
    return f"{label} {direction} {abs(percent)}% ({fmt(first)} then {fmt(last)})."


def headline(percent: int | None) -> str | None:
    """The big number at the top of a figure: "62%", or nothing without people to count."""
    return f"{percent}%" if percent is not None else None


def fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.1f}"


def today() -> date:
    return datetime.now(UTC).date()


def default_scope(service_ids: tuple[int, ...], months: int = 12) -> Scope:
    this_month = today().replace(day=1)
    return Scope(service_ids, add_months(this_month, -(months - 1)), this_month)


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
