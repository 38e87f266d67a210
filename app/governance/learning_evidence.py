"""Samples of learning for the evidence pack: what reviews learned, what debriefs concluded,
supervision and observation counts, bulletins and who read them, restrictive practice themes.

Never a reporter, never an anonymous report, never a person reference: report learning is
taken from named reports only, and the person reference of each report is taken out of its
text before it is shown.
"""

from __future__ import annotations

import re

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.governance.evidence import EvidenceItem, evidence_items
from app.governance.figures import Scope
from app.governance.sql import as_percent
from app.library.services import read_rates
from app.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    ChecklistTemplate,
    Debrief,
    Observation,
    ObservationStatus,
    Outcome,
    Report,
    Service,
    Supervision,
)
from app.safeguarding.queries import restrictive_practice_by_month, restrictive_practice_summary

SAMPLES = 10


def _without_reference(text: str, reference: str | None) -> str:
    """Take a person reference (e.g. "Room 12") out of free text written about them."""
    if reference and reference.strip():
        text = re.sub(re.escape(reference.strip()), "the person", text, flags=re.IGNORECASE)
    return text.strip()


@evidence_items("Learning, improvement and innovation")
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


@evidence_items("Learning culture")
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


@evidence_items("Safe and effective staffing")
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


@evidence_items("Learning, improvement and innovation")
def bulletins_read(scope: Scope) -> list[EvidenceItem]:
    """Learning bulletins published in the range for these services, and who has read them."""
    organisations = select(Service.organisation_id).where(Service.id.in_(scope.service_ids))
    bulletins = list(
        db.session.scalars(
            select(Article)
            .where(
                Article.kind == ArticleKind.BULLETIN,
                Article.status == ArticleStatus.PUBLISHED,
                scope.in_range(Article.published_at),
                or_(
                    Article.service_id.in_(scope.service_ids),
                    and_(
                        Article.service_id.is_(None),
                        Article.organisation_id.in_(organisations),
                    ),
                ),
            )
            .order_by(Article.published_at.desc())
            .limit(SAMPLES * 2)
        )
    )
    rates = read_rates(bulletins, lambda column: column.in_(scope.service_ids))
    return [
        EvidenceItem(
            f"Learning bulletin: {rate.article.title}",
            f"Read and understood by {rate.readers} of {rate.audience} staff ({rate.percent}%). "
            f"{rate.article.summary}",
            "Processes",
            rate.article.published_at.date().isoformat(),
        )
        for rate in rates
    ]


@evidence_items("Safeguarding")
def restrictive_practice_themes(scope: Scope) -> list[EvidenceItem]:
    """Which restrictions were used, how often, and how many were unplanned."""
    summary = restrictive_practice_summary(scope.service_ids, scope.start, scope.end)
    if not summary.total:
        return []
    totals: dict = {}
    for row in restrictive_practice_by_month(scope.service_ids, scope.start, scope.end):
        totals[row.restraint_type] = totals.get(row.restraint_type, 0) + row.count
    items = [
        EvidenceItem(
            "Restrictive practice: overview",
            f"{summary.total} restrictions recorded; {summary.unplanned} unplanned "
            f"({as_percent(summary.unplanned, summary.total)}%). "
            + (
                f"Where the person lacked capacity, {summary.with_best_interests} of "
                f"{summary.needing_best_interests} had a best-interests decision recorded."
                if summary.needing_best_interests
                else "None recorded where the person lacked capacity."
            ),
            "Outcomes",
        )
    ]
    items += [
        EvidenceItem(
            f"Restrictive practice: {kind.short_label}",
            f"{count} of {summary.total} restrictions ({as_percent(count, summary.total)}%).",
            "Outcomes",
        )
        for kind, count in sorted(totals.items(), key=lambda x: (-x[1], x[0].label))
    ]
    return items
