"""What supervision puts in the evidence pack: supervisions held and observations finished."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.governance.evidence import EvidenceItem, evidence_items
from app.governance.figures import Scope
from app.models import ChecklistTemplate, Observation, ObservationStatus, Outcome, Supervision


@evidence_items("Safe and effective staffing", order=60)
def supervision_and_observations(scope: Scope) -> list[EvidenceItem]:
    """Supervisions held (and acknowledged), and finished observations by checklist."""
    supervision = db.session.execute(
        select(
            func.count().label("held"),
            func.count(Supervision.acknowledged_at).label("acknowledged"),
            func.count(func.distinct(Supervision.supervisee_id)).label("people"),
        ).where(
            Supervision.service_id.in_(scope.service_ids),
            scope.dates_in_range(Supervision.held_on),
        )
    ).one()
    observations = db.session.execute(
        select(
            ChecklistTemplate.name,
            func.count().label("done"),
            func.count().filter(Observation.outcome == Outcome.COMPETENT).label("competent"),
        )
        .join(ChecklistTemplate, ChecklistTemplate.id == Observation.template_id)
        .where(
            Observation.service_id.in_(scope.service_ids),
            Observation.status == ObservationStatus.COMPLETED,
            scope.dates_in_range(Observation.observed_on),
        )
        .group_by(ChecklistTemplate.name)
        .order_by(ChecklistTemplate.name)
    ).all()
    items = [
        EvidenceItem(
            "Supervision",
            f"{supervision.held} supervisions held with {supervision.people} people; "
            f"{supervision.acknowledged} read and acknowledged by the person supervised.",
            "Processes",
        )
    ]
    items += [
        EvidenceItem(
            f"Observed practice: {row.name}",
            f"{row.done} observations finished: {row.competent} competent, "
            f"{row.done - row.competent} not yet competent (with a development plan).",
            "Observation",
        )
        for row in observations
    ]
    return items
