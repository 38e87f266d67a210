"""The rules managers rely on: flags on restrictions, escalation timing, and the SQL counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.models import (
    BestInterestsDecision,
    CapacityFinding,
    Category,
    PhysicalHarm,
    Report,
    ReportKind,
    RestraintType,
    RestrictivePractice,
    SafeguardingConcern,
)
from app.models.base import utcnow
from app.safeguarding import queries
from app.safeguarding.services import prefill_from_report


def _restriction(**overrides) -> RestrictivePractice:
    values = {
        "service_id": 1,
        "person_reference": "AB-1",
        "restraint_type": RestraintType.PHYSICAL,
        "started_at": datetime(2026, 3, 1, 10, tzinfo=UTC),
        "duration_minutes": 5,
        "in_plan": True,
        "capacity": CapacityFinding.HAS_CAPACITY,
        "consented": True,
        "best_interests_id": None,
        **overrides,
    }
    return RestrictivePractice(**values)


def test_a_planned_restriction_with_capacity_raises_no_flag():
    assert _restriction().flags == []


def test_an_informal_restriction_is_flagged_as_informal():
    record = _restriction(restraint_type=RestraintType.INFORMAL, in_plan=False)
    assert record.flags == ["Informal restriction: not in any plan"]
    assert record.is_unplanned


def test_a_restriction_outside_the_plan_is_flagged_as_unplanned():
    record = _restriction(in_plan=False)
    assert record.flags == ["Unplanned: not in the person's support or PBS plan"]


def test_capacity_lacking_without_a_best_interests_decision_is_flagged():
    record = _restriction(capacity=CapacityFinding.LACKS_CAPACITY)
    assert record.flags == ["Capacity lacking and no best-interests decision recorded"]
    linked = _restriction(capacity=CapacityFinding.LACKS_CAPACITY, best_interests_id=7)
    assert linked.flags == []


def test_capacity_not_considered_needs_no_best_interests_decision_but_is_flagged():
    record = _restriction(capacity=CapacityFinding.NOT_CONSIDERED)
    assert not record.needs_best_interests
    assert record.flags == [
        "Capacity not considered: restraint is only lawful under the Mental Capacity "
        "Act when the person is reasonably believed to lack capacity"
    ]


def test_escalation_time_runs_from_raising_to_escalation():
    raised = datetime(2026, 5, 1, 9, tzinfo=UTC)
    concern = SafeguardingConcern(raised_at=raised, escalated_at=raised + timedelta(hours=5))
    assert concern.time_to_escalation == timedelta(hours=5)
    assert not concern.is_overdue(raised + timedelta(days=3), hours=24)


def test_an_unescalated_concern_is_overdue_only_after_the_configured_hours():
    raised = datetime(2026, 5, 1, 9, tzinfo=UTC)
    concern = SafeguardingConcern(raised_at=raised, escalated_at=None)
    assert not concern.is_overdue(raised + timedelta(hours=23, minutes=59), hours=24)
    assert concern.is_overdue(raised + timedelta(hours=24, minutes=1), hours=24)
    assert concern.is_overdue(raised + timedelta(hours=5), hours=4)


def test_report_follow_up_answers_prefill_the_record():
    report = Report(
        service_id=3,
        category=Category.RESTRICTIVE_PRACTICE,
        kind=ReportKind.INCIDENT,
        description="Kitchen door locked so she could not go out",
        occurred_on=date(2026, 11, 20),
        occurred_at=datetime(2026, 11, 20, 19, 30, tzinfo=UTC),
        physical_harm=PhysicalHarm.NONE,
        person_reference="WH-9",
        follow_up={
            "restriction_type": "informal_or_unplanned_restriction",
            "duration": "about 20 minutes",
            "in_plan": "no",
            "tried_first": "Talked with her",
        },
    )
    answers = prefill_from_report(report)
    assert answers["restraint_type"] == "informal"
    assert answers["duration_minutes"] == 20
    assert answers["in_plan"] == "no"
    assert answers["tried_first"] == "Talked with her"
    assert answers["person_reference"] == "WH-9"
    assert answers["injury"] is False
    assert answers["started_at"] == datetime(2026, 11, 20, 19, 30, tzinfo=UTC)


def test_prefill_leaves_unknown_answers_for_the_manager():
    report = Report(
        service_id=3,
        category=Category.RESTRICTIVE_PRACTICE,
        kind=ReportKind.NEAR_MISS,
        description="Something",
        occurred_on=date(2026, 11, 20),
        follow_up={"restriction_type": "something else", "in_plan": "not_sure"},
    )
    answers = prefill_from_report(report)
    assert "restraint_type" not in answers and "in_plan" not in answers
    assert answers["started_at"].date() == date(2026, 11, 20)


def _store(app, world, rows):
    with app.app_context():
        for service, month, kind, in_plan, capacity, with_bi in rows:
            bi = None
            if with_bi:
                bi = BestInterestsDecision(
                    service_id=service,
                    person_reference="AB-1",
                    decision="d",
                    capacity_assessment="c",
                    regain_capacity="r",
                    person_involvement="p",
                    wishes_and_values="w",
                    consulted="c",
                    least_restrictive_option="l",
                    decided_on=date(2026, 1, 1),
                    review_on=date(2027, 1, 1),
                )
                db.session.add(bi)
                db.session.flush()
            db.session.add(
                _restriction(
                    service_id=service,
                    started_at=datetime(2026, month, 10, 12, tzinfo=UTC),
                    restraint_type=kind,
                    in_plan=in_plan,
                    capacity=capacity,
                    best_interests_id=bi.id if bi else None,
                )
            )
        db.session.commit()


@pytest.fixture
def counted(app, world):
    w, r = world.willow.id, world.riverside.id
    lacks, has = CapacityFinding.LACKS_CAPACITY, CapacityFinding.HAS_CAPACITY
    _store(
        app,
        world,
        [
            (w, 3, RestraintType.PHYSICAL, True, lacks, True),
            (w, 3, RestraintType.PHYSICAL, True, lacks, False),
            (w, 3, RestraintType.INFORMAL, False, has, False),
            (w, 4, RestraintType.CHEMICAL, False, lacks, True),
            (r, 3, RestraintType.PHYSICAL, True, has, False),
        ],
    )
    return world


def test_restrictions_are_counted_by_month_and_type_in_scope(app, counted):
    with app.app_context():
        rows = queries.restrictive_practice_by_month(
            [counted.willow.id], datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    assert [(r.month, r.restraint_type, r.count) for r in rows] == [
        ("2026-03", RestraintType.INFORMAL, 1),
        ("2026-03", RestraintType.PHYSICAL, 2),
        ("2026-04", RestraintType.CHEMICAL, 1),
    ]


def test_summary_gives_the_share_unplanned_and_best_interests_cover(app, counted):
    with app.app_context():
        summary = queries.restrictive_practice_summary(
            [counted.willow.id], datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    assert (summary.total, summary.unplanned) == (4, 2)
    assert summary.unplanned_share == 0.5
    assert (summary.needing_best_interests, summary.with_best_interests) == (3, 2)
    assert summary.best_interests_share == pytest.approx(2 / 3)


def test_escalation_times_are_aggregated(app, world):
    now = utcnow()
    with app.app_context():
        for hours_ago, taken in ((100, 2), (90, 30), (80, None), (2, None)):
            raised = now - timedelta(hours=hours_ago)
            db.session.add(
                SafeguardingConcern(
                    service_id=world.willow.id,
                    person_reference="AB-1",
                    concern_type="neglect",
                    what_happened="x",
                    raised_at=raised,
                    escalated_at=raised + timedelta(hours=taken) if taken else None,
                )
            )
        db.session.commit()
        times = queries.escalation_times(
            [world.willow.id],
            now - timedelta(days=30),
            now + timedelta(hours=1),
            hours=24,
            now=now,
        )
        elsewhere = queries.escalation_times(
            [world.riverside.id], now - timedelta(days=30), now + timedelta(hours=1), hours=24
        )
    assert (times.concerns, times.escalated, times.within_limit) == (4, 2, 1)
    assert times.outstanding_over_limit == 1
    assert times.average_hours == pytest.approx(16.0, abs=0.1)
    assert times.longest_hours == pytest.approx(30.0, abs=0.1)
    assert elsewhere.concerns == 0 and elsewhere.average_hours is None
