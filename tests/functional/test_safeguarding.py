"""Restrictive practice and safeguarding, as managers, supervisors and staff meet them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.events import (
    restrictive_practice_recorded,
    safeguarding_concern_raised,
    safeguarding_escalation_overdue,
)
from app.extensions import db
from app.models import (
    AuditEntry,
    BestInterestsDecision,
    CapacityFinding,
    Category,
    PbsReview,
    PositiveRiskSession,
    Report,
    ReportKind,
    RestraintType,
    RestrictivePractice,
    SafeguardingConcern,
)
from app.models.base import utcnow
from app.seed import seed_demo
from tests.conftest import post_form

NEW = "/safeguarding/restrictions/new"


def _report(app, world, *, category=Category.RESTRICTIVE_PRACTICE, service=None, **extra):
    with app.app_context():
        report = Report(
            service_id=(service or world.willow).id,
            reporter_id=world.staff.id,
            kind=ReportKind.INCIDENT,
            category=category,
            description="Locked the lounge door so Mr B could not wander at night",
            occurred_on=date(2026, 11, 20),
            occurred_at=datetime(2026, 11, 20, 22, 15, tzinfo=UTC),
            person_reference="WH-9",
            follow_up={
                "restriction_type": "informal_or_unplanned_restriction",
                "duration": "30 minutes",
                "in_plan": "no",
                "tried_first": "Offered a drink and a chat",
            },
            **extra,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def _restriction_answers(**overrides):
    return {
        "person_reference": "WH-9",
        "restraint_type": "physical",
        "position": "seated",
        "what_happened": "Held his hands while he was hitting his head",
        "started_at": "2026-11-20T14:00",
        "duration_minutes": "3",
        "in_plan": "yes",
        "tried_first": "Space and a familiar voice",
        "capacity": "has_capacity",
        "consented": "yes",
        "best_interests_id": "0",
        "debrief_offered_person": "y",
        "debrief_offered_staff": "y",
        **overrides,
    }


def _record(app, world, **overrides) -> int:
    with app.app_context():
        values = {
            "service_id": world.willow.id,
            "person_reference": "WH-9",
            "restraint_type": RestraintType.INFORMAL,
            "started_at": datetime(2026, 11, 20, 22, 15, tzinfo=UTC),
            "duration_minutes": 30,
            "in_plan": False,
            "capacity": CapacityFinding.LACKS_CAPACITY,
            **overrides,
        }
        record = RestrictivePractice(**values)
        db.session.add(record)
        db.session.commit()
        return record.id


def _month_start(moment: datetime, months: int) -> datetime:
    """Midnight UTC on the first of the month `months` from `moment`'s month."""
    index = moment.year * 12 + moment.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _decision(app, world, reference="WH-9", service=None) -> int:
    with app.app_context():
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
            decided_on=date(2026, 10, 1),
            review_on=date(2027, 4, 1),
        )
        db.session.add(decision)
        db.session.commit()
        return decision.id


def _concern(app, world, hours_ago: float, escalated_after: float | None = None, service=None):
    with app.app_context():
        raised = utcnow() - timedelta(hours=hours_ago)
        concern = SafeguardingConcern(
            service_id=(service or world.willow).id,
            person_reference="WH-9",
            concern_type="financial",
            what_happened="Money missing from his wallet",
            raised_at=raised,
            escalated_at=raised + timedelta(hours=escalated_after) if escalated_after else None,
        )
        db.session.add(concern)
        db.session.commit()
        return concern.id


@pytest.fixture
def received():
    """Signals received during the test: {signal name: [senders' ids]}.

    The ids are read as the signal arrives: other subscribers (alerts) commit afterwards,
    which would leave the sender expired by the time the test looks."""
    got: dict[str, list] = {}

    def catch(name):
        def handler(sender, **_extra):
            got.setdefault(name, []).append(SimpleNamespace(id=sender.id))

        return handler

    handlers = []
    for signal in (
        restrictive_practice_recorded,
        safeguarding_concern_raised,
        safeguarding_escalation_overdue,
    ):
        handler = catch(signal.name)
        signal.connect(handler)
        handlers.append((signal, handler))
    yield got
    for signal, handler in handlers:
        signal.disconnect(handler)


# ---------------------------------------------------------------- restrictive practice


def test_manager_completes_a_restriction_from_a_staff_report(
    app, client, signed_in, world, received
):
    report_id = _report(app, world)
    signed_in(world.manager)
    assert "Complete the restrictive practice record" in client.get("/safeguarding/").text
    url = f"{NEW}?report_id={report_id}"
    form = client.get(url).text
    assert 'value="WH-9"' in form and 'value="30"' in form
    assert '<option selected value="informal">' in form
    assert "Offered a drink and a chat" in form
    response = post_form(
        client,
        url,
        _restriction_answers(
            restraint_type="informal",
            position="",
            in_plan="no",
            duration_minutes="30",
            capacity="lacks_capacity",
            review_needed="y",
            started_at="2026-11-20T22:15",
        ),
        page_url=url,
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Informal restriction: not in any plan" in page
    assert "Capacity lacking and no best-interests decision recorded" in page
    with app.app_context():
        record = db.session.scalars(select(RestrictivePractice)).one()
        assert record.report_id == report_id and record.service_id == world.willow.id
        # UK time in the form, UTC in the database (20 November is GMT).
        assert record.started_at == datetime(2026, 11, 20, 22, 15, tzinfo=UTC)
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEntry.action == "restrictive_practice.recorded")
            )
            == 1
        )
    assert [r.id for r in received["restrictive-practice-recorded"]] == [record.id]
    # The report no longer waits, and a second record from it is refused.
    assert "Complete the restrictive practice record" not in client.get("/safeguarding/").text
    assert client.get(url).status_code == 302


def test_restriction_form_explains_each_problem(app, client, signed_in, world, received):
    signed_in(world.supervisor)
    response = post_form(
        client,
        NEW,
        _restriction_answers(
            person_reference="",
            position="",
            started_at="2099-01-01T10:00",
            duration_minutes="-4",
            injury="y",
        ),
        page_url=NEW,
    )
    body = response.text
    assert response.status_code == 200
    assert "Enter the person&#39;s reference or initials." in body
    assert "Choose the position used for physical restraint." in body
    assert "The start cannot be in the future." in body
    assert "Enter how long it lasted, in minutes (0 or more)." in body
    assert "Say briefly what the injury was." in body
    assert "Held his hands" in body  # nothing typed is lost
    informal = post_form(
        client, NEW, _restriction_answers(restraint_type="informal", position=""), page_url=NEW
    )
    assert "An informal restriction is not in any plan." in informal.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RestrictivePractice)) == 0
    assert received == {}


def test_supervisor_records_a_restriction_directly(app, client, signed_in, world):
    signed_in(world.supervisor)
    response = post_form(client, NEW, _restriction_answers(), page_url=NEW)
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Needs attention" not in page
    with app.app_context():
        record = db.session.scalars(select(RestrictivePractice)).one()
        assert record.report_id is None and record.position.value == "seated"
        assert record.recorded_by_id == world.supervisor.id


def test_manager_links_a_best_interests_decision_and_the_flag_clears(app, client, signed_in, world):
    record_id = _record(app, world, restraint_type=RestraintType.PHYSICAL, in_plan=True)
    signed_in(world.manager)
    page = client.get(f"/safeguarding/restrictions/{record_id}").text
    assert "Capacity lacking and no best-interests decision recorded" in page
    url = f"/safeguarding/best-interests/new?restriction_id={record_id}"
    answers = {
        "person_reference": "WH-9",
        "decision": "Brief seated hold when he hits his head",
        "capacity_assessment": "Lacks capacity about this decision",
        "regain_capacity": "Unlikely; it cannot wait",
        "person_involvement": "We used his picture cards",
        "wishes_and_values": "Values his independence",
        "consulted": "Son (deputy), IMCA",
        "least_restrictive_option": "Hand hold, never the floor",
        "decided_on": date.today().isoformat(),
        "review_on": (date.today() + timedelta(days=180)).isoformat(),
    }
    response = post_form(client, url, answers, page_url=url, follow_redirects=True)
    assert "The best-interests decision is recorded and linked." in response.text
    assert "Capacity lacking and no best-interests decision" not in response.text
    with app.app_context():
        record = db.session.get(RestrictivePractice, record_id)
        assert record.best_interests.decision == "Brief seated hold when he hits his head"


def test_best_interests_decision_needs_every_mca_answer_and_a_later_review(
    client, signed_in, world
):
    signed_in(world.manager)
    url = "/safeguarding/best-interests/new"
    response = post_form(
        client,
        url,
        {"person_reference": "WH-9", "decided_on": "2026-10-01", "review_on": "2026-09-01"},
        page_url=url,
    )
    body = response.text
    for message in (
        "Describe the decision.",
        "Say what the capacity assessment found.",
        "Say who was consulted.",
        "Say which least restrictive option was chosen.",
        "The review date must be after the decision date.",
    ):
        assert message in body


def test_a_decision_for_another_person_cannot_be_linked(app, client, signed_in, world):
    record_id = _record(app, world)
    other = _decision(app, world, reference="WH-2")
    signed_in(world.manager)
    url = f"/safeguarding/restrictions/{record_id}/edit"
    answers = _restriction_answers(
        restraint_type="informal",
        position="",
        in_plan="no",
        capacity="lacks_capacity",
        best_interests_id=str(other),
    )
    response = post_form(client, url, answers, page_url=url)
    assert "Not a valid choice" in response.text  # only this person's decisions are offered
    with app.app_context():
        assert db.session.get(RestrictivePractice, record_id).best_interests_id is None


def test_log_filters_show_only_restrictions_needing_attention(app, client, signed_in, world):
    _record(app, world, person_reference="WH-1")
    _record(
        app,
        world,
        person_reference="WH-2",
        restraint_type=RestraintType.PHYSICAL,
        in_plan=True,
        capacity=CapacityFinding.HAS_CAPACITY,
        consented=True,
    )
    signed_in(world.manager)
    everything = client.get("/safeguarding/restrictions").text
    assert "WH-1" in everything and "WH-2" in everything
    flagged = client.get("/safeguarding/restrictions?flagged=y").text
    assert "WH-1" in flagged and "WH-2" not in flagged
    physical = client.get("/safeguarding/restrictions?restraint_type=physical").text
    assert "WH-2" in physical and "WH-1" not in physical


def test_restrictive_practice_log_counts_its_queries(app, client, signed_in, world, count_queries):
    for n in range(6):
        _record(app, world, person_reference=f"WH-{n}")
    signed_in(world.manager)
    with count_queries() as counted:
        assert client.get("/safeguarding/restrictions").status_code == 200
    assert counted.count <= 5, counted.statements


# ---------------------------------------------------------------- register and reviews


def test_register_shows_the_timeline_counts_and_the_review_prompt(
    app, client, signed_in, world, count_queries
):
    # Two restrictions in the past year, three months apart: the month between shows with 0.
    latest = utcnow() - timedelta(days=2)
    earliest = _month_start(latest, -3).replace(day=2, hour=9)
    _record(app, world, review_needed=True, started_at=latest)
    _record(app, world, restraint_type=RestraintType.PHYSICAL, in_plan=True, started_at=earliest)
    signed_in(world.manager)
    url = f"/safeguarding/services/{world.willow.id}/people/WH-9"
    with count_queries() as counted:
        page = client.get(url).text
    assert counted.count <= 10, counted.statements
    assert "Informal:</strong> a restriction not in any plan." in page
    month_between = _month_start(latest, -2)
    assert f"{earliest:%b %Y}" in page and f"{latest:%b %Y}" in page
    assert f"{month_between:%b %Y}" in page  # a month without restrictions still shows, with 0
    assert "No review recorded yet." in page
    assert "1 restriction says the PBS plan or risk assessment needs a review" in page


def test_a_pbs_review_links_the_reports_it_drew_on(app, client, signed_in, world):
    report_id = _report(app, world)
    _record(app, world, review_needed=True, report_id=report_id)
    signed_in(world.manager)
    url = f"/safeguarding/services/{world.willow.id}/people/WH-9/reviews/new"
    form = client.get(url).text
    assert f'value="{report_id}"' in form
    answers = {
        "kind": "pbs_plan",
        "reviewed_on": date.today().isoformat(),
        "next_review_on": (date.today() + timedelta(days=90)).isoformat(),
        "what_changed": "Door alarm instead of a locked door",
        "report_ids": str(report_id),
    }
    response = post_form(client, url, answers, page_url=url, follow_redirects=True)
    assert "The review is recorded" in response.text
    assert "Drew on 1 report" in response.text
    assert "needs a review since it was last reviewed" not in response.text
    due = (date.today() + timedelta(days=90)).strftime("%-d %B %Y")
    assert f"Next review due: {due}" in response.text
    with app.app_context():
        review = db.session.scalars(select(PbsReview)).one()
        assert [r.id for r in review.reports] == [report_id]


def test_a_review_cannot_link_another_persons_report(app, client, signed_in, world):
    _record(app, world)
    with app.app_context():
        other = Report(
            service_id=world.willow.id,
            reporter_id=world.staff.id,
            kind=ReportKind.INCIDENT,
            category=Category.FALLS,
            description="x",
            occurred_on=date(2026, 11, 1),
            person_reference="WH-1",
        )
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    signed_in(world.manager)
    url = f"/safeguarding/services/{world.willow.id}/people/WH-9/reviews/new"
    answers = {
        "kind": "pbs_plan",
        "reviewed_on": "2026-11-01",
        "next_review_on": "2027-01-01",
        "what_changed": "x",
        "report_ids": str(other_id),
    }
    assert post_form(client, url, answers, page_url=url).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PbsReview)) == 0


def test_supervisor_holds_a_positive_risk_taking_session(app, client, signed_in, world):
    record_id = _record(app, world)
    signed_in(world.supervisor)
    url = f"/safeguarding/risk-sessions/new?person=WH-9&restriction_id={record_id}"
    page = client.get(url).text
    assert "What did the person want?" in page and "What would we try next time?" in page
    answers = {
        "person_reference": "WH-9",
        "held_on": date.today().isoformat(),
        "attendees": "Keyworker, night staff",
        "person_wanted": "To walk at night",
        "risks": "The stairs in the dark",
        "least_restrictive_option": "A night light",
        "next_time": "Walk with him",
        "restrictive_practice_id": str(record_id),
    }
    response = post_form(client, url, answers, page_url=url, follow_redirects=True)
    assert "Thank you. The session is recorded." in response.text
    with app.app_context():
        session = db.session.scalars(select(PositiveRiskSession)).one()
        assert session.restrictive_practice_id == record_id
        assert session.facilitator_id == world.supervisor.id


# ---------------------------------------------------------------- safeguarding concerns


def test_a_concern_from_a_report_times_escalation_from_the_report(
    app, client, signed_in, world, received
):
    report_id = _report(
        app, world, category=Category.SAFEGUARDING, created_at=utcnow() - timedelta(hours=5)
    )
    signed_in(world.manager)
    url = f"/safeguarding/concerns/new?report_id={report_id}"
    response = post_form(
        client,
        url,
        {
            "person_reference": "WH-9",
            "concern_type": "neglect",
            "what_happened": "Left in wet bedding all night",
        },
        page_url=url,
    )
    assert response.status_code == 302
    with app.app_context():
        concern = db.session.scalars(select(SafeguardingConcern)).one()
        report = db.session.get(Report, report_id)
        assert concern.raised_at == report.created_at
    assert [c.id for c in received["safeguarding-concern-raised"]] == [concern.id]
    # Escalated one hour ago: four hours after it was reported.
    escalated = (utcnow() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/London"))
    page_url = response.location
    answers = {
        "escalated_at": escalated.strftime("%Y-%m-%dT%H:%M"),
        "escalated_to": "Duty social worker, adult safeguarding",
        "la_reference": "ASC-4471",
        "cqc_notified_at": "",
        "outcome": "",
    }
    updated = post_form(client, page_url, answers, page_url=page_url, follow_redirects=True)
    assert "ASC-4471" in updated.text
    assert "after 4." in updated.text  # "after 4.0 hours" give or take the minute
    with app.app_context():
        concern = db.session.get(SafeguardingConcern, concern.id)
        hours = concern.time_to_escalation.total_seconds() / 3600
        assert 3.9 < hours < 4.1


def test_escalation_answers_are_checked(app, client, signed_in, world):
    concern_id = _concern(app, world, hours_ago=3)
    signed_in(world.manager)
    url = f"/safeguarding/concerns/{concern_id}"
    before = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(client, url, {"escalated_at": before, "escalated_to": ""}, page_url=url)
    assert "This cannot be before the concern was raised." in response.text
    assert "Say who at the local authority you told." in response.text
    who_only = post_form(client, url, {"escalated_to": "Duty team"}, page_url=url)
    assert "Enter when you told the local authority." in who_only.text
    with app.app_context():
        assert db.session.get(SafeguardingConcern, concern_id).escalated_at is None


def test_overdue_escalations_stand_out_to_the_manager_in_words(app, client, signed_in, world):
    _concern(app, world, hours_ago=30)
    _concern(app, world, hours_ago=2)
    _concern(app, world, hours_ago=40, escalated_after=3)
    _concern(app, world, hours_ago=50, service=world.riverside)
    signed_in(world.manager)
    home = client.get("/").text
    assert "Overdue:</strong> 1 safeguarding concern has not been escalated" in home
    assert 'class="sg-alert"' in home
    assert (
        "Overdue:</strong> not escalated after 24 hours."
        in client.get("/safeguarding/concerns").text
    )


def test_the_escalation_limit_is_configurable(app, client, signed_in, world):
    _concern(app, world, hours_ago=5)
    signed_in(world.manager)
    app.config["SAFEGUARDING_ESCALATION_HOURS"] = 4
    try:
        assert "within 4 hours" in client.get("/").text
    finally:
        app.config["SAFEGUARDING_ESCALATION_HOURS"] = 24
    assert "No safeguarding escalations are overdue." in client.get("/").text


def test_staff_home_shows_no_safeguarding_panel(app, client, signed_in, world):
    _concern(app, world, hours_ago=30)
    signed_in(world.staff)
    assert "Overdue" not in client.get("/").text


def test_check_overdue_sends_one_alert_per_concern(app, world, received):
    overdue = _concern(app, world, hours_ago=30)
    _concern(app, world, hours_ago=3)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["safeguarding", "check-overdue"])
    assert first.exit_code == 0, first.output
    assert "1 safeguarding concern not escalated within 24 hours" in first.output
    assert [c.id for c in received["safeguarding-escalation-overdue"]] == [overdue]
    second = runner.invoke(args=["safeguarding", "check-overdue"])
    assert "No new safeguarding escalations are overdue." in second.output
    assert len(received["safeguarding-escalation-overdue"]) == 1
    runner.invoke(args=["safeguarding", "check-overdue", "--again"])
    assert len(received["safeguarding-escalation-overdue"]) == 2


def test_trends_show_shares_and_escalation_times(app, client, signed_in, world):
    now = utcnow()
    _record(app, world, started_at=now - timedelta(days=3))
    _record(
        app,
        world,
        started_at=now - timedelta(days=2),
        restraint_type=RestraintType.PHYSICAL,
        in_plan=True,
        best_interests_id=_decision(app, world),
    )
    _concern(app, world, hours_ago=10, escalated_after=2)
    signed_in(world.manager)
    page = client.get("/safeguarding/trends").text
    assert "50% (1 of 2)" in page  # unplanned
    assert "50% (1 of 2)" in page.split("Best-interests decision where needed")[1]
    assert "2.0 hours" in page


# ---------------------------------------------------------------- access and scope


def test_records_in_another_service_are_not_found(app, client, signed_in, world):
    record_id = _record(app, world)
    decision_id = _decision(app, world)
    concern_id = _concern(app, world, hours_ago=1)
    report_id = _report(app, world)
    signed_in(world.riverside_manager)
    for url in (
        f"/safeguarding/restrictions/{record_id}",
        f"/safeguarding/restrictions/{record_id}/edit",
        f"/safeguarding/best-interests/{decision_id}",
        f"/safeguarding/best-interests/new?restriction_id={record_id}",
        f"/safeguarding/concerns/{concern_id}",
        f"/safeguarding/services/{world.willow.id}/people/WH-9",
        f"{NEW}?report_id={report_id}",
        f"/safeguarding/concerns/new?report_id={report_id}",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        post_form(client, f"/safeguarding/concerns/{concern_id}", {"outcome": "x"}).status_code
        == 404
    )
    for url in ("/safeguarding/restrictions", "/safeguarding/concerns", "/safeguarding/"):
        assert "WH-9" not in client.get(url).text, url


def test_admin_sees_every_service_of_their_organisation_only(app, client, signed_in, world):
    riverside = _record(app, world, service_id=world.riverside.id, person_reference="RS-1")
    signed_in(world.admin)
    assert client.get(f"/safeguarding/restrictions/{riverside}").status_code == 200
    assert "RS-1" in client.get("/safeguarding/restrictions").text
    faraway = _record(app, world, service_id=world.faraway.id, person_reference="FA-1")
    post_form(client, "/logout", {})
    signed_in(world.faraway_admin)
    assert client.get(f"/safeguarding/restrictions/{riverside}").status_code == 404
    assert client.get(f"/safeguarding/restrictions/{faraway}").status_code == 200


def test_staff_cannot_open_safeguarding_and_supervisors_cannot_open_concerns(
    app, client, signed_in, world
):
    record_id = _record(app, world)
    concern_id = _concern(app, world, hours_ago=1)
    signed_in(world.staff)
    for url in (
        "/safeguarding/",
        NEW,
        f"/safeguarding/restrictions/{record_id}",
        f"/safeguarding/services/{world.willow.id}/people/WH-9",
    ):
        assert client.get(url).status_code == 403, url
    post_form(client, "/logout", {})
    signed_in(world.supervisor)
    assert client.get(f"/safeguarding/restrictions/{record_id}").status_code == 200
    for url in (
        "/safeguarding/concerns",
        f"/safeguarding/concerns/{concern_id}",
        "/safeguarding/best-interests/new",
        "/safeguarding/trends",
    ):
        assert client.get(url).status_code == 403, url


def test_demo_data_is_safe_to_seed_twice(app):
    with app.app_context():
        seed_demo()
        counts = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (
                RestrictivePractice,
                BestInterestsDecision,
                PbsReview,
                SafeguardingConcern,
            )
        ]
        seed_demo()
        again = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (
                RestrictivePractice,
                BestInterestsDecision,
                PbsReview,
                SafeguardingConcern,
            )
        ]
    assert counts == again and all(counts)


def test_overview_lists_plan_and_best_interests_reviews_that_are_due(app, client, signed_in, world):
    _record(app, world)
    decision_id = _decision(app, world)
    with app.app_context():
        db.session.get(BestInterestsDecision, decision_id).review_on = date.today() - timedelta(
            days=1
        )
        db.session.add(
            PbsReview(
                service_id=world.willow.id,
                person_reference="WH-9",
                kind="pbs_plan",
                reviewed_on=date(2026, 1, 5),
                next_review_on=date(2026, 4, 5),
                what_changed="x",
            )
        )
        db.session.commit()
    signed_in(world.manager)
    page = client.get("/safeguarding/").text
    assert "PBS plan or risk assessment · WH-9" in page
    assert "it was due on 5 April 2026" in page
    assert "Best-interests decision · WH-9" in page
    post_form(client, "/logout", {})
    signed_in(world.riverside_manager)
    assert "WH-9" not in client.get("/safeguarding/").text


def test_decision_choices_follow_the_person_reference(app, client, signed_in, world):
    decision_id = _decision(app, world, reference="WH-4")
    _decision(app, world, reference="WH-4", service=world.riverside)
    signed_in(world.manager)
    assert 'hx-get="/safeguarding/best-interests/options' in client.get(NEW).text
    options = client.get(
        "/safeguarding/best-interests/options?person_reference=WH-4",
        headers={"HX-Request": "true"},
    ).text
    assert f'value="{decision_id}"' in options and "Door alarm at night" in options
    assert options.count("Door alarm at night") == 1  # not Riverside's
    other = "/safeguarding/best-interests/options?person_reference=WH-4&service_id="
    assert client.get(f"{other}{world.riverside.id}").status_code == 404


def test_a_safeguarding_report_left_unrecorded_stands_out_after_the_limit(
    app, client, signed_in, world
):
    _report(app, world, category=Category.SAFEGUARDING, created_at=utcnow() - timedelta(hours=2))
    signed_in(world.manager)
    home = client.get("/").text
    assert "1 safeguarding report is waiting for a concern to be recorded." in home
    assert "No safeguarding escalations are overdue." in home
    _report(app, world, category=Category.SAFEGUARDING, created_at=utcnow() - timedelta(hours=25))
    home = client.get("/").text
    assert "Overdue:</strong> 1 safeguarding report has waited more than 24 hours" in home
    assert "2 safeguarding reports are waiting" in home


def test_only_restrictive_practice_reports_become_restriction_records(
    app, client, signed_in, world
):
    falls = _report(app, world, category=Category.FALLS)
    signed_in(world.manager)
    url = f"{NEW}?report_id={falls}"
    response = client.get(url, follow_redirects=True)
    assert "That report is not about restrictive practice." in response.text
    posted = post_form(client, url, _restriction_answers(), page_url=NEW, follow_redirects=True)
    assert "That report is not about restrictive practice." in posted.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RestrictivePractice)) == 0
