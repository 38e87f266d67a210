"""The manager's "Needs action today" box, first on the home page: what must not wait, riskiest
first. Overdue safeguarding escalations, then open reports of serious harm or safeguarding, then
unplanned restraint, then reports still waiting for a thank-you. Each line links to the record.
Every list is short and bounded, so the box costs a few small queries at any size."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import func, select

from app.auth.policy import can, in_scope
from app.extensions import db
from app.models import User
from app.models.reports import Report, ReportStatus
from app.reports.mine import first_words
from app.reports.risk import OPEN_STATUSES, OTHER, SERIOUS, UNPLANNED_RESTRAINT, risk_rank

PER_GROUP = 5


@dataclass(frozen=True)
class Line:
    label: str  # "Overdue escalation", "Serious harm", ...
    text: str
    href: str
    urgent: bool = False


def _report_line(label: str, report: Report, urgent: bool) -> Line:
    text = (
        f"{report.category.label}, {report.occurred_on:%-d %b}: "
        f"“{first_words(report.description, 6)}”"
    )
    return Line(label, text, url_for("reports.review", report_id=report.id), urgent)


def _open_reports(user: User, condition, limit: int = PER_GROUP) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(in_scope(user, Report.service_id), Report.status.in_(OPEN_STATUSES), condition)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(limit)
        )
    )


def _overdue_escalations(user: User) -> list[Line]:
    """Safeguarding concerns past the escalation limit, when safeguarding is installed."""
    if "safeguarding.concern" not in current_app.view_functions or not can(
        user, "safeguarding.manage"
    ):
        return []
    from app.safeguarding.services import overdue_concerns

    return [
        Line(
            "Overdue safeguarding escalation",
            f"Raised {concern.raised_at:%-d %b}, not yet passed to the local authority",
            url_for("safeguarding.concern", concern_id=concern.id),
            urgent=True,
        )
        for concern in overdue_concerns(user)[:PER_GROUP]
    ]


def _waiting_for_thanks(user: User) -> tuple[list[Line], int]:
    waiting = (
        Report.first_feedback_at.is_(None),
        Report.status != ReportStatus.CLOSED,
        in_scope(user, Report.service_id),
    )
    total = db.session.scalar(select(func.count()).select_from(Report).where(*waiting)) or 0
    # The riskier ones are listed above already; here the longest waiting of the rest.
    oldest = db.session.scalars(
        select(Report)
        .where(*waiting, risk_rank() == OTHER)
        .order_by(Report.created_at, Report.id)
        .limit(3)
    )
    return [_report_line("Waiting for a thank-you", r, urgent=False) for r in oldest], total


def needs_action(user: User) -> dict | None:
    """Managers only: the lines, riskiest first, and how many reports wait for thanks."""
    if not can(user, "reports.review"):
        return None
    lines = _overdue_escalations(user)
    lines += [
        _report_line("Serious harm or safeguarding", r, True)
        for r in _open_reports(user, risk_rank() == SERIOUS)
    ]
    lines += [
        _report_line("Unplanned restraint", r, True)
        for r in _open_reports(user, risk_rank() == UNPLANNED_RESTRAINT)
    ]
    thanks_lines, waiting = _waiting_for_thanks(user)
    lines += thanks_lines
    return {"lines": lines, "waiting_for_thanks": waiting}
