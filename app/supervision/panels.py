"""Home page panels: what is waiting for me to read, and (supervisors) what is due. Supervision
prompts: the supervisee's open development actions and the competencies that need attention."""

from __future__ import annotations

from datetime import date

from sqlalchemy import literal, select, union_all

from app.extensions import db
from app.home.panels import home_panel
from app.models import (
    Action,
    ChecklistTemplate,
    Observation,
    ObservationStatus,
    Role,
    Supervision,
    User,
)
from app.models.base import uk_today
from app.supervision.prompts import supervision_prompt


@home_panel("supervision/_home_to_read.html", order=31)
def waiting_to_read(user: User) -> dict | None:
    """Observations of my practice and supervisions I have not acknowledged yet (one query)."""
    observations = (
        select(
            literal("observation").label("kind"),
            Observation.id,
            Observation.observed_on.label("on"),
            ChecklistTemplate.name,
        )
        .join(ChecklistTemplate, ChecklistTemplate.id == Observation.template_id)
        .where(
            Observation.staff_id == user.id,
            Observation.status == ObservationStatus.COMPLETED,
            Observation.acknowledged_at.is_(None),
        )
    )
    supervisions = select(
        literal("supervision").label("kind"),
        Supervision.id,
        Supervision.held_on.label("on"),
        literal("Supervision").label("name"),
    ).where(Supervision.supervisee_id == user.id, Supervision.acknowledged_at.is_(None))
    waiting = db.session.execute(union_all(observations, supervisions)).all()
    if not waiting:
        return None
    return {"waiting": sorted(waiting, key=lambda row: row.on, reverse=True)}


@home_panel("supervision/_home_supervisor.html", order=20)
def supervisor_panel(user: User) -> dict | None:
    """Observe practice, with supervisions and observations due in the team."""
    if not user.has_role(Role.SUPERVISOR):
        return None
    from app.supervision.observations import competency_grid
    from app.supervision.supervisions import team_due

    due = [d for d in team_due(user) if d.key != "in_date"]
    attention = [s for s in competency_grid(user) if s.key in {"overdue", "due_soon", "not_yet"}]
    return {"supervisions_due": due, "observations_due": attention}


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
