"""What reports put in the evidence pack: the newest "what we learned" from reviews.

Never a reporter, never an anonymous report, never a person reference: learning is taken from
named reports only, and the person reference of each report is taken out of its text.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.governance.evidence import SAMPLES, EvidenceItem, evidence_items
from app.governance.figures import Scope
from app.models import Report


def _without_reference(text: str, reference: str | None) -> str:
    """Take a person reference (e.g. "Room 12") out of free text written about them."""
    if reference and reference.strip():
        text = re.sub(re.escape(reference.strip()), "the person", text, flags=re.IGNORECASE)
    return text.strip()


@evidence_items("Learning, improvement and innovation", order=40)
def learning_outcomes(scope: Scope) -> list[EvidenceItem]:
    """The newest "what we learned" from reviews of reports raised in the range."""
    rows = db.session.execute(
        select(
            Report.category,
            Report.kind,
            Report.created_at,
            Report.learning_outcome,
            Report.person_reference,
        )
        .where(
            Report.service_id.in_(scope.service_ids),
            scope.in_range(Report.created_at),
            Report.anonymous.is_(False),
            Report.learning_outcome.is_not(None),
            Report.learning_outcome != "",
        )
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(SAMPLES)
    ).all()
    return [
        EvidenceItem(
            title=f"What we learned: {row.category.label} ({row.kind.value.replace('_', ' ')})",
            text=_without_reference(row.learning_outcome, row.person_reference),
            evidence_category="Outcomes",
            date=row.created_at.date().isoformat(),
        )
        for row in rows
    ]
