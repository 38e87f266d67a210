"""Debrief rules: who may attend, what may be linked, leader attendance, workaround flags.

Supervisors, managers and admins run debriefs for the services they can see. Every record a
debrief links to (reports, attendees, the facilitator, action owners) must belong to the
debrief's service; admins of the organisation may attend any of its services' debriefs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from app.audit import log_event
from app.auth.policy import attended_debrief, in_scope
from app.extensions import db
from app.models import (
    Action,
    Debrief,
    DebriefAttendee,
    DebriefContribution,
    DebriefFormat,
    Report,
    Role,
    Service,
    User,
    WorkaroundFlag,
    WorkaroundStatus,
    utcnow,
)
from app.models.base import uk_today
from app.models.debriefs import LEADER_ROLES, debrief_report
from app.models.reports import SERIOUS_HARM
from app.validation import Invalid

# Longer text is refused with a message beside its box, never cut short.
TEXT_MAX = 1000  # a point, and an unsafe workaround raised from one
ACTION_MAX = 500
SUMMARY_MAX = 4000
NOTE_MAX = 2000  # what was said about a workaround, or what changed
# The same words as every other box over its limit (app.schemas.Text).
TOO_LONG = "This can be up to {max} characters. Please shorten it and send it again."
REPORTS_TO_OFFER = 30


class DebriefError(Invalid):
    """A rule was broken; `field` names the form field to show it beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class LeaderAttendance:
    """Debriefs about serious reports held in a period, and how many a leader attended."""

    held: int
    with_leader: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.with_leader / self.held) if self.held else None


def needs_leader(report: Report) -> bool:
    """Moderate or worse harm, or a duty of candour flag (when reports carry one)."""
    return report.is_serious or bool(getattr(report, "duty_of_candour", False))


def people_who_may_attend(service_id: int) -> list[User]:
    """Active staff of the service, and the admins of its organisation."""
    service = db.session.get(Service, service_id)
    admins = (
        select(User.id)
        .join(Service, User.service_id == Service.id)
        .where(Service.organisation_id == service.organisation_id, User.role == Role.ADMIN)
    )
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), or_(User.service_id == service_id, User.id.in_(admins)))
            .order_by(User.name)
        )
    )


def reports_to_offer(service_id: int, keep_ids: tuple[int, ...] = ()) -> list[Report]:
    """Recent reports of the service, newest first, plus any already linked."""
    recent = select(Report.id).where(Report.service_id == service_id)
    recent = recent.order_by(Report.occurred_on.desc(), Report.id.desc()).limit(REPORTS_TO_OFFER)
    ids = set(db.session.scalars(recent)) | set(keep_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.id.in_(ids), Report.service_id == service_id)
            .order_by(Report.occurred_on.desc(), Report.id.desc())
        )
    )


def _apply_details(
    debrief: Debrief,
    *,
    format: DebriefFormat,
    held_on: date,
    facilitator_id: int,
    report_ids: list[int],
    attendee_ids: list[int],
    person_offered: bool,
    family_offered: bool,
) -> None:
    if held_on > uk_today() + timedelta(days=60):
        raise DebriefError("held_on", "Choose a date within the next two months.")
    allowed = {user.id: user for user in people_who_may_attend(debrief.service_id)}
    if facilitator_id not in allowed:
        raise DebriefError("facilitator_id", "Choose someone from this service to lead it.")
    wanted = list(dict.fromkeys([facilitator_id, *attendee_ids]))
    if any(user_id not in allowed for user_id in wanted):
        raise DebriefError("attendee_ids", "Choose attendees from this service.")
    reports = []
    if report_ids:
        reports = list(
            db.session.scalars(
                select(Report).where(
                    Report.id.in_(report_ids), Report.service_id == debrief.service_id
                )
            )
        )
        if len(reports) != len(set(report_ids)):
            raise DebriefError("report_ids", "Choose reports from this service.")

    debrief.format = format
    debrief.held_on = held_on
    debrief.facilitator_id = facilitator_id
    debrief.person_offered = person_offered
    debrief.family_offered = family_offered
    debrief.reports = reports
    current = {a.user_id: a for a in debrief.attendees}
    debrief.attendees = [
        current.get(user_id)
        or DebriefAttendee(user_id=user_id, is_leader=allowed[user_id].role in LEADER_ROLES)
        for user_id in wanted
    ]
    refresh_leader_attendance(debrief)


def refresh_leader_attendance(debrief: Debrief) -> None:
    """Store whether a leader was needed (serious report) and whether one attended."""
    debrief.needs_leader = any(needs_leader(report) for report in debrief.reports)
    debrief.leader_attended = any(a.is_leader for a in debrief.attendees)


def create_debrief(user: User, service_id: int, **details) -> Debrief:
    """Open a debrief in `service_id` (which the caller has checked `user` may see)."""
    debrief = Debrief(service_id=service_id, created_by_id=user.id, attendees=[], reports=[])
    with db.session.no_autoflush:
        _apply_details(debrief, **details)
    db.session.add(debrief)
    db.session.flush()
    log_event(
        "debrief.created",
        debrief,
        summary={
            "format": debrief.format.value,
            "reports": [r.id for r in debrief.reports],
            "attendees": len(debrief.attendees),
            "leader_attended": debrief.leader_attended,
        },
    )
    db.session.commit()
    return debrief


def update_debrief(user: User, debrief: Debrief, **details) -> Debrief:
    _apply_details(debrief, **details)
    log_event(
        "debrief.updated",
        debrief,
        summary={"attendees": len(debrief.attendees), "leader_attended": debrief.leader_attended},
    )
    db.session.commit()
    return debrief


def _require_open(debrief: Debrief, field: str) -> None:
    if debrief.is_closed:
        raise DebriefError(field, "This debrief is closed, so it can no longer change.")


def add_contribution(
    user: User, debrief: Debrief, prompt_key: str, text: str, unsafe_workaround: bool = False
) -> DebriefContribution:
    """Add one point under a prompt; a point flagged as an unsafe workaround is raised too."""
    _require_open(debrief, "text")
    if prompt_key not in {p.key for p in debrief.format.prompts}:
        raise DebriefError("text", "That question is not part of this debrief.")
    text = (text or "").strip()
    if not text:
        raise DebriefError("text", "Write a few words first.")
    if len(text) > TEXT_MAX:
        raise DebriefError("text", TOO_LONG.format(max=TEXT_MAX))
    contribution = DebriefContribution(
        debrief=debrief,
        prompt=prompt_key,
        text=text,
        unsafe_workaround=unsafe_workaround,
        added_by_id=user.id,
    )
    db.session.add(contribution)
    db.session.flush()
    log_event(
        "debrief.point_added",
        contribution,
        summary={"debrief": debrief.id, "prompt": prompt_key, "unsafe": unsafe_workaround},
        service_id=debrief.service_id,
        actor=user,
    )
    if unsafe_workaround:
        raise_workaround(
            debrief.service_id, text, contribution_id=contribution.id, debrief_id=debrief.id
        )
    db.session.commit()
    return contribution


def may_remove(user: User, contribution: DebriefContribution) -> bool:
    """A point is taken back by the person who added it or the person leading the debrief,
    nobody else: what a colleague said in a debrief is not anyone's to delete."""
    return user.id in {contribution.added_by_id, contribution.debrief.facilitator_id}


def remove_contribution(user: User, contribution: DebriefContribution) -> None:
    """Take back a point added by mistake while the debrief is open. A workaround it raised
    stays on the managers' list: once said, a safety concern is not unsaid. Audited, with the
    words removed, so the trail shows what the debrief lost and who took it out.

    Raises PermissionError when `user` may not remove it (see may_remove)."""
    if not may_remove(user, contribution):
        raise PermissionError(
            "Only the person who added a point, or the debrief's lead, removes it."
        )
    _require_open(contribution.debrief, "text")
    log_event(
        "debrief.point_removed",
        contribution,
        summary={
            "debrief": contribution.debrief_id,
            "prompt": contribution.prompt,
            "added_by": contribution.added_by_id,
            "text": contribution.text,
        },
        service_id=contribution.debrief.service_id,
        actor=user,
    )
    db.session.execute(
        update(WorkaroundFlag)
        .where(WorkaroundFlag.contribution_id == contribution.id)
        .values(contribution_id=None)
    )
    db.session.delete(contribution)
    db.session.commit()


def add_action(
    user: User, debrief: Debrief, description: str, owner_id: int | None, due_on: date | None
) -> Action:
    """Agree an action: the same Action as report reviews use, with `debrief_id` set."""
    _require_open(debrief, "description")
    description = (description or "").strip()
    if not description:
        raise DebriefError("description", "Say what will change.")
    if len(description) > ACTION_MAX:
        raise DebriefError("description", TOO_LONG.format(max=ACTION_MAX))
    if owner_id is not None and owner_id not in {
        u.id for u in people_who_may_attend(debrief.service_id)
    }:
        raise DebriefError("owner_id", "Choose someone from this service.")
    action = Action(
        service_id=debrief.service_id,
        debrief_id=debrief.id,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
    )
    db.session.add(action)
    db.session.flush()
    log_event("debrief.action_agreed", action, summary={"debrief_id": debrief.id})
    db.session.commit()
    return action


def close_debrief(user: User, debrief: Debrief, learning_summary: str) -> Debrief:
    """A learning summary closes the debrief; after that it reads as a record."""
    _require_open(debrief, "learning_summary")
    summary = (learning_summary or "").strip()
    if not summary:
        raise DebriefError("learning_summary", "Write what the team learned before closing.")
    if len(summary) > SUMMARY_MAX:
        raise DebriefError("learning_summary", TOO_LONG.format(max=SUMMARY_MAX))
    debrief.learning_summary = summary
    debrief.closed_at = utcnow()
    log_event(
        "debrief.closed",
        debrief,
        summary={"needs_leader": debrief.needs_leader, "leader_attended": debrief.leader_attended},
    )
    db.session.commit()
    return debrief


def leader_attendance(service_ids, start: date, end: date) -> LeaderAttendance:
    """For the dashboard: debriefs about serious reports held from `start` to `end` (inclusive)
    in `service_ids` (a list or a subquery), and how many of them a leader attended."""
    row = db.session.execute(
        select(
            func.count(Debrief.id),
            func.count(Debrief.id).filter(Debrief.leader_attended.is_(True)),
        ).where(
            Debrief.service_id.in_(service_ids),
            Debrief.needs_leader.is_(True),
            Debrief.held_on >= start,
            Debrief.held_on <= end,
        )
    ).one()
    return LeaderAttendance(held=row[0], with_leader=row[1])


def debriefs_for_report(report_id: int) -> list[Debrief]:
    """The debriefs held about a report, newest first (for the report's own page; the caller
    has already checked the viewer may see the report)."""
    return list(
        db.session.scalars(
            select(Debrief)
            .join(debrief_report, debrief_report.c.debrief_id == Debrief.id)
            .where(debrief_report.c.report_id == report_id)
            .order_by(Debrief.held_on.desc(), Debrief.id.desc())
        )
    )


def debriefs_to_run(user: User, days: int = 14) -> tuple[int, int]:
    """(open debriefs, serious reports of the last `days` days with no debrief yet) in one query,
    for the services `user` can see."""
    since = uk_today() - timedelta(days=days)
    open_debriefs = (
        select(func.count(Debrief.id))
        .where(in_scope(user, Debrief.service_id), Debrief.closed_at.is_(None))
        .scalar_subquery()
    )
    waiting = (
        select(func.count(Report.id))
        .where(
            in_scope(user, Report.service_id),
            Report.physical_harm.in_(SERIOUS_HARM),
            Report.occurred_on >= since,
            ~Report.id.in_(select(debrief_report.c.report_id)),
        )
        .scalar_subquery()
    )
    row = db.session.execute(select(open_debriefs, waiting)).one()
    return row[0], row[1]


def debriefs_attended(user: User, limit: int = 100) -> list[Debrief]:
    """The debriefs `user` took part in, in the services they can see, newest first: what a
    care worker reads back after a debrief (their role alone does not open debriefs)."""
    return list(
        db.session.scalars(
            select(Debrief)
            .where(in_scope(user, Debrief.service_id), attended_debrief(user))
            .options(
                selectinload(Debrief.facilitator),
                selectinload(Debrief.reports),
                selectinload(Debrief.actions),
            )
            .order_by(Debrief.held_on.desc(), Debrief.id.desc())
            .limit(limit)
        )
    )


def attended_counts(user: User) -> tuple[int, int]:
    """(debriefs `user` took part in, open actions from them that `user` owns) in one query,
    so the home page can say there is something to read or do."""
    attended = (
        select(func.count(Debrief.id))
        .where(in_scope(user, Debrief.service_id), attended_debrief(user))
        .scalar_subquery()
    )
    my_open_actions = (
        select(func.count(Action.id))
        .join(Debrief, Action.debrief_id == Debrief.id)
        .where(
            in_scope(user, Debrief.service_id),
            attended_debrief(user),
            Action.owner_id == user.id,
            Action.done_at.is_(None),
        )
        .scalar_subquery()
    )
    row = db.session.execute(select(attended, my_open_actions)).one()
    return row[0], row[1]


def raise_workaround(
    service_id: int,
    description: str,
    *,
    contribution_id: int | None = None,
    debrief_id: int | None = None,
    reflection_id: int | None = None,
) -> WorkaroundFlag:
    """Put "a workaround we use that isn't safe" on the managers' list (flushed, not committed).

    A flag from a reflection is audited without an actor, so it never points back to its author.
    Words over TEXT_MAX are refused under "workaround", never cut short (the debrief point and
    the reflection that raise one are held to the same limit, so this only guards new callers).
    """
    description = description.strip()
    if len(description) > TEXT_MAX:
        raise DebriefError("workaround", TOO_LONG.format(max=TEXT_MAX))
    flag = WorkaroundFlag(
        service_id=service_id,
        description=description,
        contribution_id=contribution_id,
        debrief_id=debrief_id,
        reflection_id=reflection_id,
    )
    db.session.add(flag)
    db.session.flush()
    from_reflection = reflection_id is not None
    log_event(
        "workaround.raised",
        flag,
        summary={"from": "reflection" if from_reflection else "debrief"},
        anonymous=from_reflection,
    )
    return flag


def move_workaround(
    user: User, flag: WorkaroundFlag, status: WorkaroundStatus, note: str | None
) -> WorkaroundFlag:
    """Raised → discussed → resolved. Resolving needs what changed; discussing may note how."""
    if len(note or "") > NOTE_MAX:
        raise DebriefError("note", TOO_LONG.format(max=NOTE_MAX))
    note = (note or "").strip()
    if status is WorkaroundStatus.RESOLVED:
        if not note:
            raise DebriefError("note", "Say what changed, so the team can see it was sorted.")
        flag.what_changed = note
        flag.resolved_at = utcnow()
        flag.discussed_at = flag.discussed_at or flag.resolved_at
    elif status is WorkaroundStatus.DISCUSSED:
        flag.discussion_note = note or flag.discussion_note
        flag.discussed_at = utcnow()
        flag.resolved_at = None
    else:
        raise DebriefError("status", "Choose discussed or resolved.")
    flag.status = status
    log_event("workaround.status_changed", flag, summary={"status": status.value}, actor=user)
    db.session.commit()
    return flag
