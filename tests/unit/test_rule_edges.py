"""The edges of rules that mutation testing (`make mutation`) found unchecked: exactly at a
limit, the turn of a year, and the parts of an answer that other tests never looked at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.exceptions import NotFound

from app.auth.policy import assignable_roles, get_or_404
from app.extensions import db
from app.models import (
    Category,
    ChecklistTemplate,
    Debrief,
    DebriefAttendee,
    DebriefFormat,
    Observation,
    Outcome,
    Report,
    ReportKind,
    Role,
    SafeguardingConcern,
    User,
)
from app.models.base import add_months
from app.reports.services import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    new_receipt_code,
    receipt_hash,
)
from app.safeguarding.services import (
    REFERENCE_MAX,
    SafeguardingInvalid,
    _yes,
    duration_in_minutes,
    record_restriction,
)
from app.supervision.observations import DUE_SOON_DAYS, status_for

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


# ---- Rules that need the database -------------------------------------------------------


def test_a_grant_never_reaches_a_record_of_another_service(app, world):
    """Attending a debrief opens it to read, but only within the person's own service: a
    debrief of another service that lists them is still not found."""
    with app.app_context():
        riverside_debrief = Debrief(
            service_id=world.riverside.id,
            format=DebriefFormat.STRUCTURED,
            held_on=TODAY,
            facilitator_id=world.riverside_manager.id,
            created_by_id=world.riverside_manager.id,
            attendees=[DebriefAttendee(user_id=world.staff.id)],
        )
        db.session.add(riverside_debrief)
        db.session.commit()
        staff = db.session.get(User, world.staff.id)
        with pytest.raises(NotFound):
            get_or_404(Debrief, riverside_debrief.id, "debriefs.view", staff)


def _restriction_answers(**overrides) -> dict:
    return {
        "person_reference": "WH-9",
        "restraint_type": "physical",
        "position": "seated",
        "what_happened": "Held his hands while he was hitting his head",
        "started_at": datetime.now(UTC) - timedelta(hours=2),
        "duration_minutes": "3",
        "in_plan": "yes",
        "tried_first": "Space and a familiar voice",
        "capacity": "has_capacity",
        "consented": "yes",
        **overrides,
    }


def test_a_restriction_is_recorded_in_the_chosen_service_only_if_it_is_visible(app, world):
    with app.app_context():
        admin = db.session.get(User, world.admin.id)
        record = record_restriction(admin, _restriction_answers(service_id=world.riverside.id))
        assert record.service_id == world.riverside.id
        manager = db.session.get(User, world.manager.id)
        for elsewhere in (world.riverside.id, world.faraway.id):
            with pytest.raises(SafeguardingInvalid) as refused:
                record_restriction(manager, _restriction_answers(service_id=elsewhere))
            assert "service_id" in refused.value.errors
            db.session.rollback()
        mine = record_restriction(manager, _restriction_answers(service_id=""))
        assert mine.service_id == world.willow.id


def test_a_person_reference_may_be_up_to_its_limit_and_not_empty(app, world):
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        longest = "R" * REFERENCE_MAX
        assert record_restriction(manager, _restriction_answers(person_reference=longest))
        for reference in ("", "   ", "R" * (REFERENCE_MAX + 1)):
            with pytest.raises(SafeguardingInvalid) as refused:
                record_restriction(manager, _restriction_answers(person_reference=reference))
            assert "person_reference" in refused.value.errors
            db.session.rollback()


def test_yes_answers_in_any_form_a_browser_or_device_sends():
    for answer in (True, "y", "Y", "yes", "YES", " Yes ", "on", "true", "1"):
        assert _yes(answer), answer
    for answer in (False, None, "", "no", "n", "0", "off", "maybe"):
        assert not _yes(answer), answer


def test_receipt_codes_are_grouped_and_read_back_however_they_are_typed():
    code = new_receipt_code()
    groups = code.split("-")
    assert all(len(group) == 4 for group in groups)
    assert len("".join(groups)) == RECEIPT_LENGTH
    assert set("".join(groups)) <= set(RECEIPT_ALPHABET)
    assert new_receipt_code() != code
    assert receipt_hash(code) == receipt_hash(code.lower()) == receipt_hash(code.replace("-", " "))
    assert receipt_hash(code) != receipt_hash(new_receipt_code())


REFUSED_RESTRICTIONS = {
    "no kind": ({"restraint_type": ""}, "restraint_type", "Choose the kind of restriction."),
    "physical with no position": (
        {"position": ""},
        "position",
        "Choose the position used for physical restraint.",
    ),
    "starting in the future": (
        {"started_at": datetime.now(UTC) + timedelta(hours=1)},
        "started_at",
        "The start cannot be in the future.",
    ),
    "no start": ({"started_at": None}, "started_at", "Enter when the restriction started."),
    "negative duration": (
        {"duration_minutes": "-1"},
        "duration_minutes",
        "Enter how long it lasted, in minutes (0 or more).",
    ),
    "duration beyond a year": (
        {"duration_minutes": str(60 * 24 * 367)},
        "duration_minutes",
        "Enter how long it lasted, in minutes (0 or more).",
    ),
    "plan not answered": (
        {"in_plan": "maybe"},
        "in_plan",
        "Say whether it was in the person's support or PBS plan.",
    ),
    "informal yet in a plan": (
        {"restraint_type": "informal", "position": ""},
        "in_plan",
        "An informal restriction is not in any plan. Answer No, or choose the planned kind.",
    ),
    "capacity not answered": (
        {"capacity": "unknown"},
        "capacity",
        "Say whether the person's capacity was considered.",
    ),
    "injury with no details": (
        {"injury": "yes", "injury_details": " "},
        "injury_details",
        "Say briefly what the injury was.",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_RESTRICTIONS))
def test_a_restriction_record_says_what_to_fix(app, world, case):
    overrides, field, message = REFUSED_RESTRICTIONS[case]
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        with pytest.raises(SafeguardingInvalid) as refused:
            record_restriction(manager, _restriction_answers(**overrides))
        assert refused.value.errors == {field: [message]}


def test_a_restriction_keeps_what_was_answered(app, world):
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        physical = record_restriction(
            manager,
            _restriction_answers(
                injury="yes", injury_details="Graze on wrist", duration_minutes="0", in_plan="no"
            ),
        )
        assert physical.restraint_type.value == "physical"
        assert physical.position.value == "seated"
        assert (physical.duration_minutes, physical.in_plan) == (0, False)
        assert (physical.injury, physical.injury_details) == (True, "Graze on wrist")
        informal = record_restriction(
            manager,
            _restriction_answers(
                restraint_type="informal",
                position="seated",
                in_plan="no",
                injury="no",
                injury_details="ignored",
            ),
        )
        assert informal.position is None  # only physical restraint has a position
        assert (informal.injury, informal.injury_details) == (False, "")
