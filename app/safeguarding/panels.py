"""The manager's safeguarding panel on the home page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.policy import can
from app.extensions import db
from app.home.panels import home_panel
from app.models.base import utcnow
from app.safeguarding.records import concern_reports_waiting, restriction_reports_waiting
from app.safeguarding.services import escalation_hours, overdue_concerns


@home_panel("safeguarding/_home_panel.html", order=33)
def safeguarding_panel(user):
    """Managers see overdue escalations (in red, with words) and reports waiting for a record."""
    if not can(user, "safeguarding.manage"):
        return None
    restrictions = db.session.scalar(
        select(func.count()).select_from(restriction_reports_waiting(user).subquery())
    )
    hours = escalation_hours()
    waiting = concern_reports_waiting(user).subquery()
    concerns, concerns_late = db.session.execute(
        select(
            func.count(),
            func.count().filter(waiting.c.created_at < utcnow() - timedelta(hours=hours)),
        ).select_from(waiting)
    ).one()
    return {
        "overdue": overdue_concerns(user),
        "hours": hours,
        "concerns_late": concerns_late,
        "restrictions_waiting": restrictions,
        "concerns_waiting": concerns,
    }
