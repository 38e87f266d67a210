"""What the library adds to the home page: new learning bulletins, and induction progress."""

from __future__ import annotations

from app.home.panels import home_panel
from app.library.induction import in_induction, pathway_for
from app.library.services import new_bulletins_for
from app.models import User


@home_panel("library/_home_panel.html", order=32)
def new_bulletins(user: User) -> dict | None:
    """Bulletins this person has not read yet; nothing when there are none (one query)."""
    bulletins = new_bulletins_for(user)
    return {"bulletins": bulletins} if bulletins else None


@home_panel("induction/_home_panel.html", order=21)
def induction_progress(user: User) -> dict | None:
    """New starters see how far they are through their reading list."""
    if not in_induction(user):
        return None
    return {"pathway": pathway_for(user)}
