"""Which kinds of event the report form shows first, and which wait behind "More".

Fourteen categories made the form long on a phone, and a tired care worker looked through
all of them every time. The service's most reported kinds of the last 90 days come first
(at most five), so most reports need no extra tap; the rest stay one tap away. A service
with few reports yet fills the first places from the domain's usual order (the order of
`Category`, commonest first in adult social care), so the first five never change much.

Why the order is kept for a few minutes in each app process (`CATEGORY_ORDER_SECONDS`,
default 300) rather than counted on every render: counting is a GROUP BY over 90 days of the
service's reports, the dearest part of opening the form, and the form is the page opened most.
The order only arranges buttons: every kind stays on the form, and one new report among 90
days' rarely moves it. So a kept order can never hide a choice or lose an answer; at worst a
kind that just became common moves to the front a few minutes late. A short time in memory
needs no shared store and no invalidation, and each process counts at most once per service
per interval.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from functools import cache

from flask import current_app, has_app_context
from sqlalchemy import bindparam, func, select

from app.extensions import db
from app.models import utcnow
from app.models.reports import Category, Report

SHOWN_FIRST = 5
LOOK_BACK = timedelta(days=90)
DEFAULT_KEEP_SECONDS = 300
_KEPT = "learnloop_category_orders"  # app.extensions: {service id: (until, order)}
_lock = threading.Lock()
_clock = time.monotonic  # tests move it


@cache
def _count_query():
    """Built once per process: composing the statement costs more Python than running it."""
    return (
        select(Report.category, func.count())
        .where(
            Report.service_id == bindparam("service_id"),
            Report.created_at >= bindparam("since"),
        )
        .group_by(Report.category)
        .order_by(func.count().desc(), Report.category)
    )


def counted_order(service_id: int) -> list[Category]:
    """The service's categories by how often they were reported lately, most first (a query)."""
    rows = db.session.execute(
        _count_query(), {"service_id": service_id, "since": utcnow() - LOOK_BACK}
    ).all()
    return [row[0] for row in rows]


def most_reported(service_id: int | None) -> list[Category]:
    """`counted_order`, kept per service for `CATEGORY_ORDER_SECONDS` (see the docstring)."""
    if service_id is None:
        return []
    if not has_app_context():
        return counted_order(service_id)
    keep = current_app.config.get("CATEGORY_ORDER_SECONDS", DEFAULT_KEEP_SECONDS)
    kept: dict = current_app.extensions.setdefault(_KEPT, {})
    now = _clock()
    entry = kept.get(service_id)
    if entry is not None and entry[0] > now:
        return entry[1]
    order = counted_order(service_id)
    if keep > 0:
        with _lock:
            kept[service_id] = (now + keep, order)
    return order


def forget_kept_orders() -> None:
    """Count again on the next render (tests empty the database between cases)."""
    if has_app_context():
        with _lock:
            current_app.extensions.pop(_KEPT, None)


def categories_for_form(service_id: int | None) -> tuple[list[Category], list[Category]]:
    """(shown first, behind "More"): the most reported, topped up in the usual order, and
    every other category in the usual order. "Other" is never among the first."""
    first: list[Category] = []
    for category in [*most_reported(service_id), *Category]:
        if len(first) == SHOWN_FIRST:
            break
        if category not in first and category is not Category.OTHER:
            first.append(category)
    return first, [category for category in Category if category not in first]
