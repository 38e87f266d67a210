"""The edges of rules that mutation testing (`make mutation`) found unchecked: exactly at a
limit, the turn of a year, and the parts of an answer that other tests never looked at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.auth.policy import assignable_roles
from app.models import (
    Category,
    ChecklistTemplate,
    Observation,
    Outcome,
    Report,
    ReportKind,
    Role,
    SafeguardingConcern,
    User,
)
from app.safeguarding.services import duration_in_minutes
from app.supervision.services import DUE_SOON_DAYS, add_months, status_for

TODAY = date(2026, 3, 10)


def test_a_concern_is_overdue_only_once_past_the_limit_not_at_it():
    raised = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    concern = SafeguardingConcern(raised_at=raised, escalated_at=None)
    assert not concern.is_overdue(raised + timedelta(hours=4), 4)
    assert concern.is_overdue(raised + timedelta(hours=4, seconds=1), 4)
    concern.escalated_at = raised + timedelta(hours=1)
    assert not concern.is_overdue(raised + timedelta(days=3), 4)


def test_a_manager_may_make_someone_a_manager_but_not_an_admin():
    manager = User(role=Role.MANAGER)
    assert assignable_roles(manager) == [Role.STAFF, Role.SUPERVISOR, Role.MANAGER]


def test_months_carry_into_the_next_year():
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2024, 12, 31), 14) == date(2026, 2, 28)


def test_durations_typed_in_words_become_minutes():
    assert duration_in_minutes("5") == 5
    assert duration_in_minutes("1 hour 20 mins") == 80
    assert duration_in_minutes("1,5 HOURS") == 90
    assert duration_in_minutes("2 hrs") == 120
    assert duration_in_minutes("a few seconds, 0.2") == 1  # at least a minute once recorded
    assert duration_in_minutes("not long") is None
    assert duration_in_minutes("") is None


def _template():
    return ChecklistTemplate(
        id=3,
        lineage_id=3,
        name="Medication",
        renewal_months=12,
        recheck_after_medication_report=True,
    )


def _observed(on: date, outcome=Outcome.COMPETENT) -> Observation:
    return Observation(observed_on=on, outcome=outcome, reobserve_on=None)


def _report(on: date) -> Report:
    return Report(
        category=Category.MEDICATION, kind=ReportKind.NEAR_MISS, anonymous=False, occurred_on=on
    )


def test_a_status_names_whose_it_is_and_what_it_rests_on():
    staff, template = User(id=7, name="Priya"), _template()
    last = _observed(TODAY - timedelta(days=10))
    status = status_for(staff, template, last, [], TODAY)
    assert (status.staff, status.template, status.last) == (staff, template, last)


def test_competency_is_due_on_its_due_date_and_overdue_only_after_it():
    staff, template = User(id=7), _template()
    due_today = _observed(add_months(TODAY, -12))
    assert status_for(staff, template, due_today, [], TODAY).key == "due_soon"
    due_at_the_edge = _observed(add_months(TODAY + timedelta(days=DUE_SOON_DAYS), -12))
    status = status_for(staff, template, due_at_the_edge, [], TODAY)
    assert status.due_on == TODAY + timedelta(days=DUE_SOON_DAYS)
    assert status.key == "due_soon"
    overdue = _observed(add_months(TODAY, -12) - timedelta(days=1))
    assert status_for(staff, template, overdue, [], TODAY).key == "overdue"


def test_only_medication_reports_after_the_observation_day_count_and_the_latest_is_named():
    staff, template = User(id=7), _template()
    observed_on = TODAY - timedelta(days=20)
    same_day, later, latest = (
        _report(observed_on),
        _report(observed_on + timedelta(days=2)),
        _report(observed_on + timedelta(days=9)),
    )
    last = _observed(observed_on)
    assert status_for(staff, template, last, [same_day], TODAY).medication_report is None
    for reports in ([later, latest], [latest, later]):
        status = status_for(staff, template, last, [same_day, *reports], TODAY)
        assert status.medication_report is latest
