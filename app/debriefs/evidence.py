"""What debriefs put in the evidence pack: the newest closed debriefs' learning summaries."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.governance.evidence import SAMPLES, EvidenceItem, evidence_items
from app.governance.figures import Scope
from app.models import Debrief


@evidence_items("Learning culture", order=50)
def debrief_summaries(scope: Scope) -> list[EvidenceItem]:
    """The newest closed debriefs' learning summaries."""
    debriefs = db.session.scalars(
        select(Debrief)
        .where(
            Debrief.service_id.in_(scope.service_ids),
            scope.dates_in_range(Debrief.held_on),
            Debrief.closed_at.is_not(None),
            Debrief.learning_summary.is_not(None),
        )
        .order_by(Debrief.held_on.desc(), Debrief.id.desc())
        .limit(SAMPLES)
    ).all()
    items = []
    for debrief in debriefs:
        title = f"{debrief.format.short_label}"
        if debrief.needs_leader:
            title += ", moderate harm or worse" + (
                ", a leader attended" if debrief.leader_attended else ", no leader attended"
            )
        items.append(
            EvidenceItem(
                title=title,
                text=debrief.learning_summary,
                evidence_category="Feedback from staff and leaders",
                date=debrief.held_on.isoformat(),
            )
        )
    return items
