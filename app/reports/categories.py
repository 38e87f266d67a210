"""Which kinds of event the report form shows first, and which wait behind "More".

Fourteen categories made the form long on a phone, and a tired care worker looked through
all of them every time. The service's most reported kinds of the last 90 days come first
(at most five), so most reports need no extra tap; the rest stay one tap away. A service
with few reports yet fills the first places from the domain's usual order (the order of
`Category`, commonest first in adult social care), so the first five never change much.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import utcnow
from app.models.reports import Category, Report

SHOWN_FIRST = 5
LOOK_BACK = timedelta(days=90)


def most_reported(service_id: int | None) -> list[Category]:
    """The service's categories by how often they were reported lately, most first."""
    if service_id is None:
        return []
    rows = db.session.execute(
        select(Report.category, func.count())
        .where(Report.service_id == service_id, Report.created_at >= utcnow() - LOOK_BACK)
        .group_by(Report.category)
        .order_by(func.count().desc(), Report.category)
    ).all()
    return [row[0] for row in rows]


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
