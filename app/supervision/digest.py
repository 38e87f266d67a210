"""Lines for the managers' weekly digest: observations and supervisions due in the service.

Counts only, never names: the digest is an email.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import ChecklistTemplate, Role, Service, Supervision, User
from app.notifications.digest import digest_section
from app.supervision.observations import latest_observations, medication_reports_for, status_for
from app.supervision.supervisions import due_status, every_weeks

# The people a service's supervisors and managers observe and supervise.
TEAM_ROLES = (Role.STAFF, Role.SUPERVISOR)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _team(service: Service) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.service_id == service.id, User.active, User.role.in_(TEAM_ROLES)
            )
        )
    )


@digest_section(order=30)
def observations_due(service: Service, _since: datetime, today: date) -> list[str]:
    """Competency observations overdue, due within 30 days, or to repeat (not yet competent)."""
    team = _team(service)
    templates = list(
        db.session.scalars(
            select(ChecklistTemplate).where(
                ChecklistTemplate.is_current, ChecklistTemplate.service_id == service.id
            )
        )
    )
    if not team or not templates:
        return []
    latest = latest_observations([p.id for p in team])
    earliest = min((o.observed_on for o in latest.values()), default=None)
    reports = medication_reports_for(team, earliest)
    keys = [
        status_for(p, t, latest.get((p.id, t.lineage_id)), reports.get(p.id, []), today).key
        for p in team
        for t in templates
    ]
    due = sum(k in ("overdue", "due_soon", "not_yet") for k in keys)
    overdue = keys.count("overdue")
    never = keys.count("never")
    lines = []
    if due:
        line = f"{_plural(due, 'observation is', 'observations are')} due in the next 30 days"
        line += f" ({overdue} overdue)." if overdue else "."
        lines.append(line)
    if never:
        lines.append(f"{_plural(never, 'checklist has', 'checklists have')} never been observed.")
    return lines


@digest_section(order=40)
def supervisions_due(service: Service, _since: datetime, today: date) -> list[str]:
    """Supervisions overdue or due within two weeks at the service's frequency."""
    team = _team(service)
    if not team:
        return []
    last = dict(
        db.session.execute(
            select(Supervision.supervisee_id, func.max(Supervision.held_on))
            .where(Supervision.supervisee_id.in_([p.id for p in team]))
            .group_by(Supervision.supervisee_id)
        ).all()
    )
    weeks = every_weeks(service.id)
    keys = [due_status(p, last.get(p.id), weeks, today).key for p in team]
    lines = []
    overdue, soon, never = keys.count("overdue"), keys.count("due_soon"), keys.count("never")
    if overdue or soon:
        lines.append(
            f"{_plural(overdue + soon, 'supervision is', 'supervisions are')} due soon"
            + (f" ({overdue} overdue)." if overdue else ".")
        )
    if never:
        lines.append(f"{_plural(never, 'person has', 'people have')} not had a supervision yet.")
    return lines
