"""Figures about the team's development: supervision and medication competency in date.

"In date" follows the rules of app/supervision, counted in SQL as at the end of the range (or
today, if sooner):
- supervision: supervisions.held_in_date, the SQL twin of due_status written beside it (the
  last supervision held no more than the service's interval ago);
- medication competency: observations.competent_in_date, the SQL twin of status_for written
  beside it, for each current medication checklist (one that is rechecked after a medicines
  incident, NICE SC1): the latest finished observation said competent, its renewal is not
  past, and no earlier re-observation date has passed.
Both count active care workers and supervisors, the people managers supervise and observe.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select

from app.extensions import db
from app.governance.figures import (
    Figure,
    Scope,
    figure,
    headline,
    monthly,
    today,
    trend_reading,
)
from app.governance.sql import as_percent, month_of
from app.models import (
    ChecklistTemplate,
    Observation,
    ObservationStatus,
    Role,
    Supervision,
    User,
)
from app.supervision.observations import competent_in_date
from app.supervision.supervisions import held_in_date

SUPERVISED_ROLES = (Role.STAFF, Role.SUPERVISOR)


def _as_of(scope: Scope) -> date:
    return min(today(), scope.last_day)


def _people(scope: Scope):
    return (
        User.service_id.in_(scope.service_ids),
        User.active.is_(True),
        User.role.in_(SUPERVISED_ROLES),
    )


@figure(order=100)
def supervision_in_date(scope: Scope) -> Figure:
    as_of = _as_of(scope)
    last = (
        select(Supervision.supervisee_id, func.max(Supervision.held_on).label("held_on"))
        .where(Supervision.held_on <= as_of)
        .group_by(Supervision.supervisee_id)
        .subquery()
    )
    row = db.session.execute(
        select(
            func.count(User.id).label("people"),
            func.count(User.id)
            .filter(held_in_date(last.c.held_on, User.service_id, as_of, scope.service_ids))
            .label("in_date"),
        )
        .select_from(User)
        .outerjoin(last, last.c.supervisee_id == User.id)
        .where(*_people(scope))
    ).one()
    held = _by_held_month(scope)
    series = monthly(scope, {"Supervisions held": held})
    percent = as_percent(row.in_date, row.people)
    if row.people:
        first = (
            f"{row.in_date} of {row.people} care workers and supervisors had supervision in date "
            f"on {as_of.day} {as_of:%B %Y} ({percent}%)."
        )
    else:
        first = "No care workers or supervisors in this service yet."
    return Figure(
        key="supervision",
        title="Supervisions held each month",
        reading=first + " " + trend_reading("Supervisions held", series[0].values),
        months=scope.months,
        series=series,
        headline=headline(percent),
        headline_label="of staff have supervision in date",
        extra_rows=[
            ("Care workers and supervisors", str(row.people)),
            (f"Supervision in date on {as_of.day} {as_of:%B %Y}", str(row.in_date)),
        ],
        quality_statement="Safe and effective staffing",
        evidence_category="Processes",
    )


def _by_held_month(scope: Scope) -> dict[str, int]:
    month = month_of(Supervision.held_on).label("month")
    return dict(
        db.session.execute(
            select(month, func.count())
            .where(
                Supervision.service_id.in_(scope.service_ids),
                scope.dates_in_range(Supervision.held_on),
            )
            .group_by(month)
        ).all()
    )


@figure(order=110)
def medication_competency(scope: Scope) -> Figure:
    as_of = _as_of(scope)
    templates = db.session.execute(
        select(
            ChecklistTemplate.service_id,
            ChecklistTemplate.lineage_id,
            ChecklistTemplate.renewal_months,
        ).where(
            ChecklistTemplate.service_id.in_(scope.service_ids),
            ChecklistTemplate.is_current.is_(True),
            ChecklistTemplate.recheck_after_medication_report.is_(True),
        )
    ).all()
    lineages = [t.lineage_id for t in templates]
    pairs = in_date = 0
    if templates:
        checklist = (
            select(ChecklistTemplate.service_id, ChecklistTemplate.lineage_id)
            .where(ChecklistTemplate.lineage_id.in_(lineages), ChecklistTemplate.is_current)
            .subquery()
        )
        ranked = (
            select(
                Observation.staff_id,
                ChecklistTemplate.lineage_id,
                Observation.observed_on,
                Observation.outcome,
                Observation.reobserve_on,
                func.row_number()
                .over(
                    partition_by=(Observation.staff_id, ChecklistTemplate.lineage_id),
                    order_by=(Observation.observed_on.desc(), Observation.id.desc()),
                )
                .label("rn"),
            )
            .join(ChecklistTemplate, ChecklistTemplate.id == Observation.template_id)
            .where(
                ChecklistTemplate.lineage_id.in_(lineages),
                Observation.status == ObservationStatus.COMPLETED,
                Observation.service_id.in_(scope.service_ids),
                Observation.observed_on <= as_of,
            )
            .subquery()
        )
        competent = competent_in_date(
            ranked.c.outcome,
            ranked.c.observed_on,
            ranked.c.reobserve_on,
            checklist.c.lineage_id,
            as_of,
            {t.lineage_id: t.renewal_months for t in templates},
        )
        row = db.session.execute(
            select(func.count().label("pairs"), func.count().filter(competent).label("in_date"))
            .select_from(User)
            .join(checklist, checklist.c.service_id == User.service_id)
            .outerjoin(
                ranked,
                and_(
                    ranked.c.staff_id == User.id,
                    ranked.c.lineage_id == checklist.c.lineage_id,
                    ranked.c.rn == 1,
                ),
            )
            .where(*_people(scope))
        ).one()
        pairs, in_date = row.pairs, row.in_date
    month = month_of(Observation.observed_on).label("month")
    observed = dict(
        db.session.execute(
            select(month, func.count())
            .join(ChecklistTemplate, ChecklistTemplate.id == Observation.template_id)
            .where(
                Observation.service_id.in_(scope.service_ids),
                Observation.status == ObservationStatus.COMPLETED,
                ChecklistTemplate.lineage_id.in_(lineages),
                scope.dates_in_range(Observation.observed_on),
            )
            .group_by(month)
        ).all()
    )
    series = monthly(scope, {"Medication observations": observed})
    percent = as_percent(in_date, pairs)
    if pairs:
        first = (
            f"{in_date} of {pairs} care workers and supervisors were assessed competent to give "
            f"medicines, in date, on {as_of.day} {as_of:%B %Y} ({percent}%)."
        )
    elif not templates:
        first = "No medication competency checklist is set up yet."
    else:
        first = "No care workers or supervisors to observe yet."
    return Figure(
        key="medication_competency",
        title="Medication competency observations each month",
        reading=first + " " + trend_reading("Medication observations", series[0].values),
        months=scope.months,
        series=series,
        headline=headline(percent),
        headline_label="of staff have medication competency in date",
        extra_rows=[
            ("People and medication checklists", str(pairs)),
            (f"Competent and in date on {as_of.day} {as_of:%B %Y}", str(in_date)),
        ],
        quality_statement="Safe and effective staffing",
        evidence_category="Observation",
    )
