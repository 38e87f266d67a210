"""The home panel: a big "Reflect on a shift" button and how many reflections are recent.
In supervision: the reflections the supervisee chose to share since the last one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from app.home.panels import home_panel
from app.models import User
from app.reflections.services import home_counts
from app.supervision.prompts import supervision_prompt


@home_panel("reflections/_home_panel.html", order=15)
def reflect_panel(user):
    return home_counts(user)


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
