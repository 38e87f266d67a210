"""A care worker's own named reports: a short page at a time, new replies first, each with its
own page. The words the reporter sees ("Status", notifications) come from the same timeline,
so a card never says "New" next to "Seen by a manager"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import User
from app.models.reports import Report, ReportKind
from app.reports.services import timeline

MINE_PAGE_SIZE = 20
FIRST_WORDS = 8
SHORT_KIND = {
    ReportKind.NEAR_MISS: "near miss",
    ReportKind.INCIDENT: "incident",
    ReportKind.GOOD_CARE: "good care",
    ReportKind.UNSAFE_CONDITION: "unsafe condition",
}


@dataclass
class MyReportsPage:
    reports: list[Report]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // MINE_PAGE_SIZE))


def _new_feedback_first():
    """0 for a report with thanks or learning the reporter has not opened, else 1."""
    unread = and_(
        Report.feedback_updated_at.is_not(None),
        or_(
            Report.feedback_read_at.is_(None),
            Report.feedback_read_at < Report.feedback_updated_at,
        ),
    )
    return case((unread, 0), else_=1)


def my_reports_page(user: User, page: int) -> MyReportsPage:
    """One page of `user`'s named reports: new replies first, then newest first."""
    mine = Report.reporter_id == user.id
    total = db.session.scalar(select(func.count()).select_from(Report).where(mine)) or 0
    last_page = max(1, -(-total // MINE_PAGE_SIZE))
    page = min(max(1, page), last_page)
    reports = db.session.scalars(
        select(Report)
        .where(mine)
        .order_by(_new_feedback_first(), Report.created_at.desc(), Report.id.desc())
        .limit(MINE_PAGE_SIZE)
        .offset((page - 1) * MINE_PAGE_SIZE)
    ).all()
    return MyReportsPage(reports=list(reports), total=total, page=page)


def reporter_status(report: Report) -> str:
    """What the reporter is told the report's status is: the last step the timeline shows done."""
    done = [step for step, when in timeline(report) if when]
    return done[-1] if done else "Sent"


def first_words(text: str | None, words: int = FIRST_WORDS) -> str:
    """The opening words of a report, to say which one a message is about."""
    parts = (text or "").split()
    if not parts:
        return ""
    opening = " ".join(parts[:words])
    if len(opening) > 60:
        opening = opening[:60].rstrip()
        return opening + "…"
    return opening + ("…" if len(parts) > words else "")


def report_title(report: Report) -> str:
    """'near miss report about medication, “Wrong tablets nearly given…”,' says which report a
    message is about (shown only to its reporter, never in an email)."""
    kind = SHORT_KIND.get(report.kind, "")
    title = f"{kind} report about {report.category.label.lower()}".strip()
    opening = first_words(report.description)
    return f"{title}, “{opening}”," if opening else title
