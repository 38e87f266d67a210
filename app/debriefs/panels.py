"""Home panels: for supervisors and above, debriefs still open and serious reports that have
no debrief yet; for care workers, the debriefs they took part in and the actions they own.
In supervision: the debriefs the supervisee attended since the last one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.policy import can
from app.debriefs.services import attended_counts, debriefs_to_run
from app.extensions import db
from app.home.panels import home_panel
from app.models import Debrief, DebriefAttendee, User
from app.supervision.prompts import supervision_prompt


@home_panel("debriefs/_home_panel.html", order=30)
def debriefs_panel(user):
    if not can(user, "debriefs.view"):
        return None
    open_debriefs, waiting = debriefs_to_run(user)
    return {"open": open_debriefs, "waiting": waiting}


@home_panel("debriefs/_home_attended.html", order=35)
def attended_panel(user):
    """Only for people who cannot run debriefs (supervisors reach the same list from their
    own panel), and only once they have taken part in one."""
    if can(user, "debriefs.view"):
        return None
    attended, my_open_actions = attended_counts(user)
    if not attended:
        return None
    return {"attended": attended, "my_open_actions": my_open_actions}


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
