"""Supervision prompts: what the supervisor sees before and during a supervision.

Each feature registers a builder, the way home page panels do, so debriefs attended and
reflections shared with the supervisor can plug in without this package knowing them:

    @supervision_prompt("debriefs/_supervision_prompt.html", order=20)
    def debriefs_attended(supervisee, since):
        return {"debriefs": ...}   # or None when there is nothing to show

`since` is the date of the supervisee's last supervision (or 12 weeks ago when none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, Debrief, DebriefAttendee, Report, User
from app.models.base import uk_today


@dataclass(frozen=True)
class Prompt:
    template: str
    order: int
    build: Callable[[User, date], dict | None]


_PROMPTS: dict[str, Prompt] = {}


def supervision_prompt(template: str, order: int = 50) -> Callable:
    """Register `build(supervisee, since) -> context | None` to render `template`."""

    def register(build: Callable[[User, date], dict | None]) -> Callable:
        _PROMPTS[template] = Prompt(template, order, build)
        return build

    return register


def prompts_for(supervisee: User, since: date) -> list[tuple[str, dict]]:
    """The (template, context) pairs to show, in order; a None context hides a prompt."""
    shown = []
    for prompt in sorted(_PROMPTS.values(), key=lambda p: p.order):
        context = prompt.build(supervisee, since)
        if context is not None:
            shown.append((prompt.template, context))
    return shown


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


@supervision_prompt("supervision/_prompt_debriefs.html", order=20)
def debriefs_attended(supervisee: User, since: date) -> dict | None:
    """Debriefs in the supervisee's service that they attended since the last supervision."""
    debriefs = db.session.scalars(
        select(Debrief)
        .join(DebriefAttendee, DebriefAttendee.debrief_id == Debrief.id)
        .where(
            DebriefAttendee.user_id == supervisee.id,
            Debrief.service_id == supervisee.service_id,
            Debrief.held_on >= since,
        )
        .options(selectinload(Debrief.reports))
        .order_by(Debrief.held_on.desc(), Debrief.id.desc())
        .limit(10)
    ).all()
    return {"debriefs": debriefs}


@supervision_prompt("supervision/_prompt_reflections.html", order=25)
def reflections_shared(supervisee: User, since: date) -> dict | None:
    """Reflections the supervisee chose to share with their supervisor since the last
    supervision. Private reflections are never read here: the reflections service returns
    only shared ones."""
    from app.reflections.services import shared_reflections_for

    reflections = shared_reflections_for(
        supervisee.id, since=datetime.combine(since, time.min, tzinfo=UTC)
    )
    return {"reflections": reflections[:10]}


@supervision_prompt("supervision/_prompt_actions.html", order=30)
def open_development_actions(supervisee: User, since: date) -> dict | None:
    """Actions the supervisee owns that are not done yet."""
    actions = db.session.scalars(
        select(Action)
        .where(Action.owner_id == supervisee.id, Action.done_at.is_(None))
        .order_by(Action.due_on.is_(None), Action.due_on)
    ).all()
    return {"actions": actions, "today": uk_today()}


@supervision_prompt("supervision/_prompt_competencies.html", order=40)
def competencies_due(supervisee: User, since: date) -> dict | None:
    """Checklists the supervisee has never done, is not yet competent in, or is due for."""
    from app.supervision.observations import competency_grid

    # The supervisee's own scope is their service, where their checklists live.
    statuses = [s for s in competency_grid(supervisee, [supervisee]) if s.needs_attention]
    return {"statuses": statuses}
