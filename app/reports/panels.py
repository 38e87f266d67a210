"""What reports show on other pages. Home: staff see new thanks and learning on their reports;
managers see what waits and what needs action today. Supervision: the reports the supervisee
sent since the last one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select

from app.auth.policy import can, in_scope
from app.extensions import db
from app.home.panels import home_panel
from app.models import User
from app.models.reports import Report, ReportStatus
from app.reports.needs_action import needs_action
from app.supervision.prompts import supervision_prompt


@home_panel("reports/_home_panel.html", order=10)
def reports_panel(user: User) -> dict:
    """One query for a care worker; one more for a manager."""
    new_feedback = db.session.scalar(
        select(func.count(Report.id)).where(
            Report.reporter_id == user.id,
            Report.feedback_updated_at.is_not(None),
            or_(
                Report.feedback_read_at.is_(None),
                Report.feedback_read_at < Report.feedback_updated_at,
            ),
        )
    )
    context = {"new_feedback": new_feedback or 0, "waiting": None}
    if can(user, "reports.review"):
        row = db.session.execute(
            select(
                func.count(case((Report.status == ReportStatus.NEW, 1))),
                func.count(
                    case(
                        (
                            and_(
                                Report.first_feedback_at.is_(None),
                                Report.status != ReportStatus.CLOSED,
                            ),
                            1,
                        )
                    )
                ),
            ).where(in_scope(user, Report.service_id))
        ).one()
        context["waiting"] = {"new": row[0], "needing_feedback": row[1]}
    return context


@home_panel("reports/_reply_waiting_panel.html", order=11)
def reply_waiting_panel(_user) -> dict:
    """The box the phone fills in itself: whether a reply to an anonymous report waits is
    known on the device only (app/static/js/receipt.js asks without the session cookie)."""
    return {}


@home_panel("reports/_needs_action.html", order=0)
def needs_action_panel(user: User) -> dict | None:
    """Managers only: what must not wait, riskiest first (app/reports/needs_action.py)."""
    return needs_action(user)


@supervision_prompt("supervision/_prompt_reports.html", order=10)
def recent_reports(supervisee: User, since: date) -> dict | None:
    """Reports the supervisee sent with their name since the last supervision."""
    reports = db.session.scalars(
        select(Report)
        .where(
            Report.reporter_id == supervisee.id,
            Report.anonymous.is_(False),
            Report.service_id == supervisee.service_id,
            Report.occurred_on >= since,
        )
        .order_by(Report.occurred_on.desc())
        .limit(10)
    ).all()
    return {"reports": reports, "since": since}
