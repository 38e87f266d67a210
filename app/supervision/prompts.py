"""Supervision prompts: what the supervisor sees before and during a supervision.

They are panels like the home page's (app/registry.py PanelRegistry): each area registers its
own from its `panels.py`, so reports sent, debriefs attended and reflections shared plug in
without this package knowing them:

    @supervision_prompt("supervision/_prompt_debriefs.html", order=20)
    def debriefs_attended(supervisee, since):
        return {"debriefs": ...}   # or None when there is nothing to show

`since` is the date of the supervisee's last supervision (or 12 weeks ago when none).
"""

from __future__ import annotations

from datetime import date

from app.models import User
from app.registry import PanelRegistry

SUPERVISION_PROMPTS = PanelRegistry("supervision prompts")
supervision_prompt = SUPERVISION_PROMPTS.panel


def prompts_for(supervisee: User, since: date) -> list[tuple[str, dict]]:
    """The (template, context) pairs to show, in order; a None context hides a prompt."""
    return SUPERVISION_PROMPTS.shown(supervisee, since)
