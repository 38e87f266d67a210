"""Small SQL building blocks that read the same on SQLite and PostgreSQL.

Figures are aggregated in the database (GROUP BY over indexed columns), never by looping over
rows in Python, so the dashboard costs the same few queries at 1,000 or 1,000,000 reports.
"""

from __future__ import annotations

from sqlalchemy import DateTime, Float, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.extensions import db


class month_of(FunctionElement):  # noqa: N801  (reads like the SQL function it compiles to)
    """'YYYY-MM' of a date column, or of a timestamp taken in UTC whatever the connection's
    time zone: the same months `Scope.in_range` filters by, so no row lands a month out."""

    type = String()
    inherit_cache = True


def _is_timestamp(element: month_of) -> bool:
    (argument,) = element.clauses.clauses
    column_type = getattr(argument.type, "impl", argument.type)  # UTCDateTime wraps DateTime
    return isinstance(column_type, DateTime)


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_postgresql(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    if _is_timestamp(element):
        value = f"{value} AT TIME ZONE 'UTC'"
    return f"to_char({value}, 'YYYY-MM')"


class days_between(FunctionElement):  # noqa: N801
    """Days (fractional) from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


def median(value, *where) -> float | None:
    """The median of `value` over the rows matching `where`, in one query on both databases:
    number the rows in order (a window), then average the middle one or two."""
    ranked = (
        select(
            value.label("v"),
            func.row_number().over(order_by=value).label("rn"),
            func.count().over().label("n"),
        )
        .where(*where)
        .subquery()
    )
    found = db.session.scalar(
        select(func.avg(ranked.c.v)).where(
            ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2
        )
    )
    return float(found) if found is not None else None


def as_percent(part: int, whole: int) -> int | None:
    """A whole-number percentage, or None when there is nothing to divide."""
    return round(100 * part / whole) if whole else None


__all__ = ["ColumnElement", "as_percent", "days_between", "median", "month_of"]
