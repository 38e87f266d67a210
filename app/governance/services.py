"""Governance rules: which services and months a leader may look at, the staff pulse, meetings
and the "you said, we did" board."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.exc import IntegrityError

from app.audit import log_event
from app.auth.policy import services_for
from app.extensions import db
from app.governance.figures import Scope, default_scope, today
from app.models import (
    Meeting,
    MeetingKind,
    MeetingLearningItem,
    PulseParticipation,
    PulseResponse,
    Role,
    User,
    YouSaidWeDid,
)
from app.models.base import add_months
from app.validation import Invalid

MAX_MONTHS = 36
PULSE_MINIMUM = 5  # fewer answers than this are never shown, so nobody can be singled out
PULSE_QUESTIONS = {
    "safe_to_report": "I feel safe to report mistakes.",
    "hear_back": "When I report, I hear back.",
    "talk_without_blame": "We talk about what went wrong without blame.",
}
PULSE_SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Not sure",
    4: "Agree",
    5: "Strongly agree",
}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class GovernanceError(Invalid):
    """A dashboard or meeting rule was broken; `field` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


@dataclass
class DashboardChoice:
    scope: Scope
    service_id: int | None  # None means all the services the person may see
    errors: dict[str, str]


def _parse_month(text: str | None) -> date | None:
    match = _MONTH.match((text or "").strip())
    return date(int(match[1]), int(match[2]), 1) if match else None


def choose_scope(
    user: User, service: str | None, start: str | None, end: str | None, services=None
):
    """Turn the dashboard filters into a Scope the person may see, with messages for bad input.

    Managers always see their own service; admins pick one service or all of their organisation.
    `services` are `services_for(user)` when the caller has them already (one query fewer).
    """
    allowed = {s.id for s in (services if services is not None else services_for(user))}
    errors: dict[str, str] = {}
    service_id: int | None = None
    if user.role is Role.ADMIN and service and service != "all":
        if service.isdigit() and int(service) in allowed:
            service_id = int(service)
        else:
            errors["service"] = "Choose one of your services."
    elif user.role is not Role.ADMIN:
        service_id = user.service_id
    ids = (service_id,) if service_id else tuple(sorted(allowed))
    fallback = default_scope(ids)
    first, last = _parse_month(start), _parse_month(end)
    if start and not first:
        errors["start"] = "Enter the first month as year and month, like 2026-01."
    if end and not last:
        errors["end"] = "Enter the last month as year and month, like 2026-12."
    first, last = first or fallback.first_month, last or fallback.last_month
    if first > last:
        errors["end"] = "The last month must be the same as or after the first month."
        first, last = fallback.first_month, fallback.last_month
    if add_months(first, MAX_MONTHS - 1) < last:
        errors["start"] = f"Choose at most {MAX_MONTHS} months."
        first = add_months(last, -(MAX_MONTHS - 1))
    return DashboardChoice(Scope(ids, first, last), service_id, errors)


# -- Staff pulse ------------------------------------------------------------------------------


def this_month() -> str:
    return today().strftime("%Y-%m")


def has_answered_pulse(user: User) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(PulseParticipation)
            .where(PulseParticipation.user_id == user.id, PulseParticipation.month == this_month())
        )
        > 0
    )


def answer_pulse(user: User, answers: dict[str, int]) -> None:
    """Store the answers with no link to the person; note only that they answered this month."""
    if set(answers) != set(PULSE_QUESTIONS) or not all(v in PULSE_SCALE for v in answers.values()):
        raise GovernanceError("pulse", "Please choose an answer for each question.")
    month = this_month()
    db.session.add(PulseParticipation(user_id=user.id, month=month))
    db.session.add(PulseResponse(service_id=user.service_id, month=month, **answers))
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise GovernanceError(
            "pulse", "You have already answered this month. Thank you!"
        ) from error


@dataclass
class PulseQuarter:
    quarter: str
    answers: int
    averages: dict[str, float] | None  # None when below the minimum


def pulse_results(service_ids: tuple[int, ...]) -> list[PulseQuarter]:
    """Average score per question per quarter, hidden below PULSE_MINIMUM answers."""
    year = func.substr(PulseResponse.month, 1, 4)
    month_number = cast(func.substr(PulseResponse.month, 6, 2), Integer)
    quarter = ((month_number - 1) / 3 + 1).label("quarter")
    rows = db.session.execute(
        select(
            year.label("year"),
            quarter,
            func.count().label("answers"),
            *[func.avg(getattr(PulseResponse, key)).label(key) for key in PULSE_QUESTIONS],
        )
        .where(PulseResponse.service_id.in_(service_ids))
        .group_by(year, quarter)
        .order_by(year.desc(), quarter.desc())
    ).all()
    results = []
    for row in rows:
        label = f"{row.year} Q{int(row.quarter)}"
        averages = (
            {key: round(float(getattr(row, key)), 1) for key in PULSE_QUESTIONS}
            if row.answers >= PULSE_MINIMUM
            else None
        )
        results.append(PulseQuarter(label, row.answers, averages))
    return results


# -- Meetings and the board -------------------------------------------------------------------


def update_minutes(editor: User, meeting: Meeting, minutes: str) -> None:
    """Save corrected minutes; the version check (app/concurrency.py) guards lost updates."""
    meeting.minutes = minutes.strip()
    log_event("meeting.minutes_updated", meeting, actor=editor)
    db.session.commit()


def record_meeting(
    recorder: User,
    *,
    service_id: int,
    kind: MeetingKind,
    held_on: date,
    title: str,
    minutes: str,
    attendee_ids: list[int],
    report_ids: list[int],
    themes: list[str],
) -> Meeting:
    if held_on > today():
        raise GovernanceError("held_on", "The meeting date cannot be in the future.")
    attendees = db.session.scalars(
        select(User).where(User.id.in_(attendee_ids), User.service_id == service_id)
    ).all()
    meeting = Meeting(
        service_id=service_id,
        kind=kind,
        held_on=held_on,
        title=title.strip(),
        minutes=minutes.strip(),
        recorded_by_id=recorder.id,
        attendees=list(attendees),
    )
    for report_id in report_ids:
        meeting.learning_items.append(
            MeetingLearningItem(report_id=report_id, theme="Report learning")
        )
    for theme in themes:
        if theme.strip():
            meeting.learning_items.append(MeetingLearningItem(theme=theme.strip()))
    db.session.add(meeting)
    db.session.flush()
    log_event(
        "meeting.recorded",
        meeting,
        summary={"kind": kind.value, "items": len(meeting.learning_items)},
    )
    db.session.commit()
    return meeting


def add_you_said_we_did(
    author: User, *, you_said: str, we_did: str, changed_on: date, report_id: int | None = None
) -> YouSaidWeDid:
    if changed_on > today():
        raise GovernanceError("changed_on", "The date of the change cannot be in the future.")
    entry = YouSaidWeDid(
        service_id=author.service_id,
        you_said=you_said.strip(),
        we_did=we_did.strip(),
        changed_on=changed_on,
        report_id=report_id,
        created_by_id=author.id,
    )
    db.session.add(entry)
    db.session.flush()
    log_event("you_said_we_did.added", entry)
    db.session.commit()
    return entry
