"""The manager's safeguarding panel on the home page."""

from __future__ import annotations

from sqlalchemy import exists, func, select

from app.auth.policy import can, in_scope
from app.extensions import db
from app.home.panels import home_panel
from app.models import Category, Report, RestrictivePractice, SafeguardingConcern
from app.safeguarding.services import escalation_hours, overdue_concerns


def restriction_reports_waiting(user):
    """Restrictive practice reports in scope that have no restrictive practice record yet."""
    return (
        select(Report)
        .where(
            in_scope(user, Report.service_id),
            Report.category == Category.RESTRICTIVE_PRACTICE,
            ~exists().where(RestrictivePractice.report_id == Report.id),
        )
        .order_by(Report.created_at.desc())
    )


def concern_reports_waiting(user):
    """Safeguarding reports in scope that have no safeguarding concern recorded yet."""
    return (
        select(Report)
        .where(
            in_scope(user, Report.service_id),
            Report.category == Category.SAFEGUARDING,
            ~exists().where(SafeguardingConcern.report_id == Report.id),
        )
        .order_by(Report.created_at.desc())
    )


@home_panel("safeguarding/_home_panel.html", order=30)
def safeguarding_panel(user):
    """Managers see overdue escalations (in red, with words) and reports waiting for a record."""
    if not can(user, "safeguarding.manage"):
        return None
    restrictions = db.session.scalar(
        select(func.count()).select_from(restriction_reports_waiting(user).subquery())
    )
    concerns = db.session.scalar(
        select(func.count()).select_from(concern_reports_waiting(user).subquery())
    )
    return {
        "overdue": overdue_concerns(user),
        "hours": escalation_hours(),
        "restrictions_waiting": restrictions,
        "concerns_waiting": concerns,
    }
