"""Library pages a person's phone keeps for reading without signal: their induction reading list
(while they are in induction) and the newest bulletins they have not read yet. Article pages hold
no personal data, so the service worker may keep them (see app/pwa/offline.py)."""

from __future__ import annotations

from flask import url_for

from app.library.induction import in_induction, steps_for_service
from app.library.services import new_bulletins_for
from app.models import User
from app.pwa.offline import keep_for_offline


@keep_for_offline
def induction_and_new_bulletins(user: User) -> list[str]:
    slugs = [bulletin.slug for bulletin in new_bulletins_for(user, limit=5)]
    if in_induction(user):
        slugs += [step.article.slug for step in steps_for_service(user.service_id)]
    return [url_for("library.article", slug=slug) for slug in slugs]
