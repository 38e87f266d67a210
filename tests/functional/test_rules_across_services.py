"""Rules that keep one service's records apart from another's, and one person's from
another's: a restriction may only be linked to a best-interests decision about the same person
in the same service, and a report is a repeat only of an earlier one in its own service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.models import BestInterestsDecision, Report, RestrictivePractice, User
from app.models.base import utcnow
from app.reports import services as reports
from app.safeguarding.services import (
    SafeguardingInvalid,
    link_best_interests,
    record_restriction,
)

PERSON = "WH-9"


def _decision(world, *, service=None, reference: str = PERSON) -> int:
    decision = BestInterestsDecision(
        service_id=(service or world.willow).id,
        person_reference=reference,
        decision="Door alarm at night",
        capacity_assessment="Lacks capacity about road safety",
        regain_capacity="Unlikely; cannot wait",
        person_involvement="Shown pictures",
        wishes_and_values="Likes walking at night",
        consulted="Daughter (LPA), IMCA",
        least_restrictive_option="Alarm, not a locked door",
        decided_on=date(2025, 1, 6),
        review_on=date(2025, 7, 6),
    )
    db.session.add(decision)
    db.session.commit()
    return decision.id


def _answers(world, best_interests_id: int) -> dict:
    return {
        "service_id": world.willow.id,
        "person_reference": PERSON,
        "restraint_type": "physical",
        "position": "seated",
        "what_happened": "Held his hands while he was hitting his head",
        "started_at": utcnow() - timedelta(hours=2),
        "duration_minutes": "3",
        "in_plan": "yes",
        "tried_first": "Space and a familiar voice",
        "capacity": "lacks_capacity",
        "best_interests_id": str(best_interests_id),
    }


def _restriction(world) -> RestrictivePractice:
    manager = db.session.get(User, world.manager.id)
    return record_restriction(manager, _answers(world, 0))


@pytest.mark.parametrize("whose", ["another service", "another person"])
def test_a_new_restriction_refuses_someone_elses_best_interests_decision(app, world, whose):
    with app.app_context():
        if whose == "another service":
            decision_id = _decision(world, service=world.riverside)
        else:
            decision_id = _decision(world, reference="WH-10")
        manager = db.session.get(User, world.manager.id)
        with pytest.raises(SafeguardingInvalid) as refused:
            record_restriction(manager, _answers(world, decision_id))
        assert "best_interests_id" in refused.value.errors
        db.session.rollback()
        assert db.session.query(RestrictivePractice).count() == 0


def test_a_new_restriction_links_the_persons_own_decision(app, world):
    with app.app_context():
        decision_id = _decision(world)
        manager = db.session.get(User, world.manager.id)
        record = record_restriction(manager, _answers(world, decision_id))
        assert record.best_interests_id == decision_id


@pytest.mark.parametrize("whose", ["another service", "another person"])
def test_linking_refuses_someone_elses_best_interests_decision(app, world, whose):
    with app.app_context():
        record = _restriction(world)
        if whose == "another service":
            decision_id = _decision(world, service=world.riverside)
        else:
            decision_id = _decision(world, reference="WH-10")
        with pytest.raises(SafeguardingInvalid) as refused:
            link_best_interests(record, db.session.get(BestInterestsDecision, decision_id))
        assert "best_interests_id" in refused.value.errors
        db.session.rollback()
        assert db.session.get(RestrictivePractice, record.id).best_interests_id is None


def test_linking_takes_the_persons_own_decision(app, world):
    with app.app_context():
        record = _restriction(world)
        decision_id = _decision(world)
        link_best_interests(record, db.session.get(BestInterestsDecision, decision_id))
        assert db.session.get(RestrictivePractice, record.id).best_interests_id == decision_id


NEAR_MISS = {
    "kind": "near_miss",
    "category": "medication",
    "description": "Two residents' medicines nearly mixed up",
    "time_bracket": "day_shift",
    "occurred_on": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
    "person_reference": "WH-12",
}


def _submit(app, user) -> int:
    with app.app_context():
        reporter = db.session.get(User, user.id)
        return reports.submit_report(reporter, dict(NEAR_MISS)).report.id


def test_a_report_in_another_service_is_not_a_repeat(app, world):
    willow = _submit(app, world.staff)
    riverside = _submit(app, world.riverside_staff)
    again_in_willow = _submit(app, world.staff)
    with app.app_context():
        assert not db.session.get(Report, riverside).is_repeat
        assert db.session.get(Report, riverside).repeat_of_id is None
        assert db.session.get(Report, again_in_willow).repeat_of_id == willow


def test_find_repeat_looks_only_in_the_given_service(app, world):
    _submit(app, world.staff)
    with app.app_context():
        now = utcnow()
        assert reports.find_repeat(world.willow.id, "WH-12", "medication", now) is not None
        assert reports.find_repeat(world.riverside.id, "WH-12", "medication", now) is None
