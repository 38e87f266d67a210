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
    """`reports` are rows of `CARD_COLUMNS` (what a card shows), not Report objects."""

    reports: list
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // MINE_PAGE_SIZE))

    @property
    def new_feedback(self) -> set[int]:
        """The ids of the reports on this page with thanks or learning not opened yet."""
        return {report.id for report in self.reports if report.has_new_feedback}


def _unread_feedback():
    """Thanks or learning the reporter has not opened (Report.has_new_feedback, in SQL)."""
    return and_(
        Report.feedback_updated_at.is_not(None),
        or_(
            Report.feedback_read_at.is_(None),
            Report.feedback_read_at < Report.feedback_updated_at,
        ),
    )


# 0 for a report with thanks or learning the reporter has not opened, else 1 (built once).
NEW_FEEDBACK_FIRST = case((_unread_feedback(), 0), else_=1)


# What a card on "My reports" shows (app/templates/reports/mine.html and _feedback.html, and
# the timeline behind its status), read as plain rows: whole Report objects carry six JSON
# columns each and cost several times as much to build, for twenty cards on every visit.
CARD_COLUMNS = (
    Report.id,
    Report.kind,
    Report.category,
    Report.description,
    Report.created_at,
    Report.seen_at,
    Report.thanked_at,
    Report.learning_shared_at,
    Report.closed_at,
    Report.thanks_message,
    Report.learning_message,
    _unread_feedback().label("has_new_feedback"),
)


def my_reports_page(user: User, page: int) -> MyReportsPage:
    """One page of `user`'s named reports: new replies first, then newest first."""
    mine = Report.reporter_id == user.id
    total = db.session.scalar(select(func.count()).select_from(Report).where(mine)) or 0
    last_page = max(1, -(-total // MINE_PAGE_SIZE))
    page = min(max(1, page), last_page)
    reports = db.session.execute(
        select(*CARD_COLUMNS)
        .where(mine)
        .order_by(NEW_FEEDBACK_FIRST, Report.created_at.desc(), Report.id.desc())
        .limit(MINE_PAGE_SIZE)
        .offset((page - 1) * MINE_PAGE_SIZE)
    ).all()
    return MyReportsPage(reports=list(reports), total=total, page=page)


def reports_with_new_feedback(page: MyReportsPage) -> list[Report]:
    """The Report objects behind the page's new replies, to mark them read (usually none, so
    usually no query)."""
    ids = page.new_feedback
    if not ids:
        return []
    return list(db.session.scalars(select(Report).where(Report.id.in_(sorted(ids)))))


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
