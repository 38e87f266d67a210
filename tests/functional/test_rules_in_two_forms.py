"""Rules written twice, once in Python for one record and once in SQL for a count over many,
must give the same answer for every case: a manager's log filter and the dashboard count the
same records the record's own page flags."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    BestInterestsDecision,
    CapacityFinding,
    ChecklistTemplate,
    Observation,
    ObservationStatus,
    Outcome,
    RestraintPosition,
    RestraintType,
    RestrictivePractice,
    Role,
    Supervision,
    SupervisionPolicy,
    User,
)
from app.supervision.observations import competent_in_date, status_for
from app.supervision.supervisions import DEFAULT_EVERY_WEEKS, due_status, held_in_date


def _decision(service_id: int) -> int:
    decision = BestInterestsDecision(
        service_id=service_id,
        person_reference="WH-9",
        decision="Door alarm at night",
        capacity_assessment="Lacks capacity about road safety",
        regain_capacity="Unlikely; cannot wait",
        person_involvement="Shown pictures",
        wishes_and_values="Likes walking at night",
        consulted="Daughter (LPA), IMCA",
        least_restrictive_option="Alarm, not a locked door",
        decided_on=date(2026, 10, 1),
        review_on=date(2027, 4, 1),
    )
    db.session.add(decision)
    db.session.flush()
    return decision.id


def test_restrictive_practice_flags_and_their_sql_twin_agree_on_every_combination(app, world):
    with app.app_context():
        decision_id = _decision(world.willow.id)
        combinations = itertools.product(
            RestraintType,
            (True, False),
            (None, RestraintPosition.SEATED, RestraintPosition.PRONE),
            CapacityFinding,
            (None, True, False),
            (None, decision_id),
        )
        for kind, in_plan, position, capacity, consented, best_interests in combinations:
            db.session.add(
                RestrictivePractice(
                    service_id=world.willow.id,
                    person_reference="WH-9",
                    restraint_type=kind,
                    position=position,
                    started_at=datetime(2026, 11, 20, 22, 15, tzinfo=UTC),
                    duration_minutes=5,
                    in_plan=in_plan,
                    capacity=capacity,
                    consented=consented,
                    best_interests_id=best_interests,
                )
            )
        db.session.commit()
        records = db.session.scalars(select(RestrictivePractice)).all()
        assert len(records) == 7 * 2 * 3 * 3 * 3 * 2

        def ids_where(condition) -> set[int]:
            return set(db.session.scalars(select(RestrictivePractice.id).where(condition)))

        flagged = {r.id for r in records if r.flags}
        assert 0 < len(flagged) < len(records)
        assert ids_where(RestrictivePractice.needs_attention) == flagged
        assert {r.id for r in records if r.needs_attention} == flagged
        assert ids_where(RestrictivePractice.is_unplanned) == {
            r.id for r in records if r.is_unplanned
        }
        assert ids_where(RestrictivePractice.missing_best_interests) == {
            r.id for r in records if r.missing_best_interests
        }


def test_supervision_in_date_counts_the_people_due_status_calls_in_date(app, world):
    """held_in_date (SQL, for the dashboard) and due_status (Python, for the supervisor's
    list) agree on the day of the interval's end, the day after, and no supervision at all."""
    as_of = date(2026, 11, 20)
    with app.app_context():
        db.session.add(SupervisionPolicy(service_id=world.willow.id, every_weeks=4))
        supervisor = db.session.get(User, world.supervisor.id)
        people = []
        for days_ago in (None, 0, 27, 28, 29, 55, 56, 57):
            person = User(
                name=f"Carer {days_ago}",
                email=f"carer{days_ago}@two-forms.example.org",
                role=Role.STAFF,
                service_id=world.riverside.id if days_ago in (55, 56, 57) else world.willow.id,
            )
            db.session.add(person)
            db.session.flush()
            if days_ago is not None:
                db.session.add(
                    Supervision(
                        service_id=person.service_id,
                        supervisee_id=person.id,
                        supervisor_id=supervisor.id,
                        held_on=as_of - timedelta(days=days_ago),
                    )
                )
            people.append(person)
        db.session.commit()
        ids = [p.id for p in people]
        last = (
            select(Supervision.supervisee_id, func.max(Supervision.held_on).label("held_on"))
            .group_by(Supervision.supervisee_id)
            .subquery()
        )
        counted = set(
            db.session.scalars(
                select(User.id)
                .outerjoin(last, last.c.supervisee_id == User.id)
                .where(
                    User.id.in_(ids),
                    held_in_date(
                        last.c.held_on,
                        User.service_id,
                        as_of,
                        (world.willow.id, world.riverside.id),
                    ),
                )
            )
        )
        weeks = {world.willow.id: 4, world.riverside.id: DEFAULT_EVERY_WEEKS}
        in_date = set()
        for person in people:
            held = db.session.scalar(
                select(func.max(Supervision.held_on)).where(Supervision.supervisee_id == person.id)
            )
            status = due_status(person, held, weeks[person.service_id], as_of)
            if status.key in {"in_date", "due_soon"}:
                in_date.add(person.id)
        assert counted == in_date
        names = {p.name for p in people if p.id in in_date}
        assert names == {"Carer 0", "Carer 27", "Carer 28", "Carer 55", "Carer 56"}


def test_competency_in_date_counts_the_people_status_for_calls_in_date(app, world):
    """competent_in_date (SQL, for the dashboard) and status_for (Python, for the competency
    grid and the digest) agree on the days around each renewal, at a month's end (a month's
    renewal from 29, 30 or 31 January falls on 28 February), on a re-observation date just
    past, due today or still ahead, for an outcome of not yet competent, and for no
    observation at all."""
    as_of = date(2026, 2, 28)
    with app.app_context():
        monthly = ChecklistTemplate(service_id=world.willow.id, name="Insulin", renewal_months=1)
        yearly = ChecklistTemplate(service_id=world.willow.id, name="Medicines", renewal_months=12)
        db.session.add_all([monthly, yearly])
        db.session.flush()
        for template in (monthly, yearly):
            template.lineage_id = template.id
        cases = {
            "month, 27 Jan": (monthly, date(2026, 1, 27), Outcome.COMPETENT, None),
            "month, 28 Jan": (monthly, date(2026, 1, 28), Outcome.COMPETENT, None),
            "month, 29 Jan": (monthly, date(2026, 1, 29), Outcome.COMPETENT, None),
            "month, 31 Jan": (monthly, date(2026, 1, 31), Outcome.COMPETENT, None),
            "month, 27 Feb": (monthly, date(2026, 2, 27), Outcome.COMPETENT, None),
            "year, 27 Feb 2025": (yearly, date(2025, 2, 27), Outcome.COMPETENT, None),
            "year, 28 Feb 2025": (yearly, date(2025, 2, 28), Outcome.COMPETENT, None),
            "year, 1 Mar 2025": (yearly, date(2025, 3, 1), Outcome.COMPETENT, None),
            "again yesterday": (yearly, date(2026, 1, 5), Outcome.COMPETENT, date(2026, 2, 27)),
            "again today": (yearly, date(2026, 1, 5), Outcome.COMPETENT, as_of),
            "again tomorrow": (yearly, date(2026, 1, 5), Outcome.COMPETENT, date(2026, 3, 1)),
            "not yet": (yearly, date(2026, 2, 20), Outcome.NOT_YET_COMPETENT, date(2026, 3, 20)),
            "never": (yearly, None, None, None),
        }
        supervisor = db.session.get(User, world.supervisor.id)
        people = {}
        for name, (template, observed_on, outcome, reobserve_on) in cases.items():
            person = User(
                name=name,
                email=f"{len(people)}@competency-two-forms.example.org",
                role=Role.STAFF,
                service_id=world.willow.id,
            )
            db.session.add(person)
            db.session.flush()
            people[name] = person
            if observed_on is not None:
                db.session.add(
                    Observation(
                        service_id=world.willow.id,
                        template_id=template.id,
                        staff_id=person.id,
                        observer_id=supervisor.id,
                        status=ObservationStatus.COMPLETED,
                        observed_on=observed_on,
                        outcome=outcome,
                        reobserve_on=reobserve_on,
                    )
                )
        db.session.commit()
        counted = set(
            db.session.scalars(
                select(User.id)
                .outerjoin(Observation, Observation.staff_id == User.id)
                .outerjoin(ChecklistTemplate, ChecklistTemplate.id == Observation.template_id)
                .where(
                    User.id.in_([p.id for p in people.values()]),
                    competent_in_date(
                        Observation.outcome,
                        Observation.observed_on,
                        Observation.reobserve_on,
                        ChecklistTemplate.lineage_id,
                        as_of,
                        {monthly.lineage_id: 1, yearly.lineage_id: 12},
                    ),
                )
            )
        )
        in_date = set()
        for name, person in people.items():
            template = cases[name][0]
            last = db.session.scalar(select(Observation).where(Observation.staff_id == person.id))
            if status_for(person, template, last, [], as_of).key in {"in_date", "due_soon"}:
                in_date.add(person.id)
        assert counted == in_date
        assert {name for name, p in people.items() if p.id in in_date} == {
            "month, 28 Jan",
            "month, 29 Jan",
            "month, 31 Jan",
            "month, 27 Feb",
            "year, 28 Feb 2025",
            "year, 1 Mar 2025",
            "again today",
            "again tomorrow",
        }
