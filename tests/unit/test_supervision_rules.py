"""The rules behind observations and supervision, without a database."""

from __future__ import annotations

from datetime import date, timedelta

from app.models import (
    Category,
    ChecklistItem,
    ChecklistTemplate,
    ItemResult,
    Observation,
    Outcome,
    Report,
    ReportKind,
    User,
)
from app.models.base import add_months
from app.supervision.observations import decide_outcome, report_involves, status_for
from app.supervision.supervisions import due_status

TODAY = date(2026, 11, 26)
MET, NOT_YET, NA = ItemResult.MET, ItemResult.NOT_YET, ItemResult.NOT_APPLICABLE


def _items():
    return [
        ChecklistItem(id=1, text="Right person", critical=True),
        ChecklistItem(id=2, text="PRN"),
    ]


def test_a_critical_item_not_met_means_not_yet_competent_whatever_was_chosen():
    outcome, forced = decide_outcome(_items(), {1: NOT_YET, 2: MET}, Outcome.COMPETENT)
    assert outcome is Outcome.NOT_YET_COMPETENT and forced


def test_observer_may_judge_competent_when_only_a_non_critical_item_is_not_yet_met():
    assert decide_outcome(_items(), {1: MET, 2: NOT_YET}, Outcome.COMPETENT) == (
        Outcome.COMPETENT,
        False,
    )
    assert decide_outcome(_items(), {1: MET, 2: NOT_YET}, None) == (None, False)


def test_everything_met_or_not_applicable_is_competent_without_choosing():
    assert decide_outcome(_items(), {1: MET, 2: NA}, None) == (Outcome.COMPETENT, False)


def test_months_are_added_to_the_end_of_shorter_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 26), 12) == date(2027, 11, 26)


def _template(recheck=False):
    return ChecklistTemplate(
        id=1,
        lineage_id=1,
        name="Medication",
        renewal_months=12,
        recheck_after_medication_report=recheck,
    )


def _observed(days_ago, outcome=Outcome.COMPETENT, reobserve_on=None):
    return Observation(
        observed_on=TODAY - timedelta(days=days_ago), outcome=outcome, reobserve_on=reobserve_on
    )


def _status(last, reports=(), recheck=False):
    return status_for(User(id=7, name="Priya"), _template(recheck), last, list(reports), TODAY)


def test_competency_status_follows_the_renewal_interval():
    assert _status(None).key == "never"
    assert _status(_observed(100)).key == "in_date"
    assert _status(_observed(350)).key == "due_soon"
    overdue = _status(_observed(370))
    assert overdue.key == "overdue" and overdue.label == "Overdue"


def test_not_yet_competent_stands_until_observed_again():
    status = _status(_observed(400, Outcome.NOT_YET_COMPETENT, reobserve_on=TODAY))
    assert status.key == "not_yet" and status.due_on == TODAY


def test_an_earlier_reobservation_date_brings_the_due_date_forward():
    status = _status(_observed(10, reobserve_on=TODAY + timedelta(days=20)))
    assert status.key == "due_soon" and status.due_on == TODAY + timedelta(days=20)


def _medication_report(days_ago, **fields):
    return Report(
        category=Category.MEDICATION,
        kind=ReportKind.NEAR_MISS,
        anonymous=False,
        occurred_on=TODAY - timedelta(days=days_ago),
        **fields,
    )


def test_a_medication_report_since_the_last_observation_suggests_observing_sooner():
    later = _medication_report(5, reporter_id=7)
    earlier = _medication_report(200, reporter_id=7)
    assert _status(_observed(100), [later, earlier], recheck=True).medication_report is later
    assert _status(_observed(100), [earlier], recheck=True).medication_report is None
    assert _status(_observed(100), [later], recheck=False).medication_report is None


def test_who_a_medication_report_involves():
    assert report_involves(_medication_report(1, reporter_id=7), 7)
    assert report_involves(
        _medication_report(1, reporter_id=3, follow_up={"staff_involved_ids": [7]}), 7
    )
    assert report_involves(
        _medication_report(1, reporter_id=3, follow_up={"staff_involved_id": "7"}), 7
    )
    assert not report_involves(_medication_report(1, reporter_id=3, follow_up={}), 7)
    anonymous = _medication_report(1, reporter_id=None, follow_up={"staff_involved_ids": [7]})
    anonymous.anonymous = True
    assert not report_involves(anonymous, 7)
    good = _medication_report(1, reporter_id=7)
    good.kind = ReportKind.GOOD_CARE
    assert not report_involves(good, 7)


def test_supervision_is_due_every_so_many_weeks():
    person = User(id=1, name="Priya")
    assert due_status(person, None, 8, TODAY).key == "never"
    assert due_status(person, TODAY - timedelta(weeks=9), 8, TODAY).key == "overdue"
    assert due_status(person, TODAY - timedelta(weeks=7), 8, TODAY).key == "due_soon"
    in_date = due_status(person, TODAY - timedelta(weeks=1), 8, TODAY)
    assert in_date.key == "in_date" and in_date.due_on == TODAY + timedelta(weeks=7)
