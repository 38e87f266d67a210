"""Safety alerts reach the service's managers; reporters hear about thanks and learning."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import events
from app.extensions import db
from app.models import (
    BestInterestsDecision,
    CapacityFinding,
    Category,
    ConcernType,
    EmailPreference,
    EmailTopic,
    Notification,
    OutboundEmail,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportKind,
    RestraintPosition,
    RestraintType,
    RestrictivePractice,
    SafeguardingConcern,
    User,
)
from app.notifications.mail import deliver_due

SECRET_DETAIL = "Mrs Example fell by the window in room 12"


def make_report(app, service, *, reporter=None, **fields) -> int:
    with app.app_context():
        report = Report(
            service_id=service.id,
            reporter_id=reporter.id if reporter else None,
            anonymous=reporter is None,
            kind=fields.pop("kind", ReportKind.INCIDENT),
            category=fields.pop("category", Category.FALLS),
            description=SECRET_DETAIL,
            person_reference="Room 12 - ME",
            occurred_on=date(2026, 11, 20),
            **fields,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def send(app, signal, report_id: int, **extra) -> None:
    with app.app_context():
        signal.send(db.session.get(Report, report_id), **extra)


def notes_for(app, user) -> list[Notification]:
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
        return [(n.kind, n.message, n.urgent) for n in notes]


def emails_to(app, user) -> list[OutboundEmail]:
    with app.app_context():
        found = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.recipient_id == user.id)
        ).all()
        db.session.expunge_all()
        return found


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"physical_harm": PhysicalHarm.MODERATE}, "Someone was harmed (moderate or worse)"),
        ({"psychological_harm": PsychologicalHarm.MODERATE}, "moderate or worse"),
        ({"category": Category.SAFEGUARDING}, "A safeguarding concern was raised"),
        (
            {"category": Category.RESTRICTIVE_PRACTICE, "follow_up": {"planned": False}},
            "not in the person's plan",
        ),
        (
            {"category": Category.RESTRICTIVE_PRACTICE, "follow_up": {"type": "informal"}},
            "not in the person's plan",
        ),
        ({"physical_harm": PhysicalHarm.SEVERE}, "duty of candour step (Regulation 20)"),
        ({"physical_harm": PhysicalHarm.SEVERE}, "Notify CQC of a serious injury"),
        ({"physical_harm": PhysicalHarm.FATAL}, "A death: notify CQC (Regulation 16)"),
        ({"follow_up": {"police_involved": True}}, "notify CQC (Regulation 18(2)(f))"),
        ({"follow_up": {"police_involved": "yes"}}, "notify CQC (Regulation 18(2)(f))"),
        (
            {"category": Category.RESTRICTIVE_PRACTICE, "follow_up": {"in_plan": "no"}},
            "not in the person's plan",
        ),
        (
            {
                "category": Category.RESTRICTIVE_PRACTICE,
                "follow_up": {"restriction_type": "seclusion", "in_plan": "yes"},
            },
            "very likely an unlawful deprivation of liberty",
        ),
        (
            {
                "category": Category.RESTRICTIVE_PRACTICE,
                "follow_up": {"restriction_type": "long-term_segregation", "in_plan": "yes"},
            },
            "very likely an unlawful deprivation of liberty",
        ),
        (
            {
                "category": Category.RESTRICTIVE_PRACTICE,
                "follow_up": {"restriction_type": "physical_restraint", "position": "prone"},
            },
            "Prone (face-down) restraint",
        ),
        (
            {"physical_harm": PhysicalHarm.MODERATE},
            "Check whether CQC must be told of a serious injury, such as a fracture",
        ),
        (
            {"category": Category.SAFEGUARDING},
            "CQC must be told of any abuse or allegation of abuse (Regulation 18(2)(e))",
        ),
    ],
)
def test_managers_are_alerted_at_once_for_serious_reports(app, world, fields, reason):
    report_id = make_report(app, world.willow, reporter=world.staff, **fields)
    send(app, events.report_submitted, report_id)
    ((kind, message, urgent),) = notes_for(app, world.manager)
    assert kind == "report_alert" and urgent and reason in message
    (email,) = emails_to(app, world.manager)
    assert email.topic is EmailTopic.SAFETY_ALERT
    assert reason in email.body and "/notifications" in email.body or "/reports" in email.body


def test_alert_emails_hold_no_personal_details_only_a_link(app, world, mailbox):
    report_id = make_report(
        app,
        world.willow,
        reporter=world.staff,
        physical_harm=PhysicalHarm.SEVERE,
        location="Room 12",
    )
    send(app, events.report_submitted, report_id)
    with app.app_context():
        deliver_due()
    (message,) = mailbox.to("manager@willow.example.org")
    body = mailbox.body(message)
    assert message["Subject"] == "Safety alert at Willow House: please look today"
    assert "http://" in body
    for personal in (SECRET_DETAIL, "Room 12", "ME", "Carer Willow", "fell"):
        assert personal not in body and personal not in message["Subject"]


def test_only_the_services_own_managers_are_alerted(app, world):
    report_id = make_report(app, world.willow, physical_harm=PhysicalHarm.SEVERE)
    send(app, events.report_submitted, report_id)
    assert notes_for(app, world.manager)
    assert notes_for(app, world.riverside_manager) == []
    assert notes_for(app, world.staff) == [] and notes_for(app, world.supervisor) == []


def test_a_service_without_a_manager_alerts_its_organisations_admins(app, world):
    with app.app_context():
        db.session.get(User, world.manager.id).active = False
        db.session.commit()
    report_id = make_report(app, world.willow, category=Category.SAFEGUARDING)
    send(app, events.report_submitted, report_id)
    assert notes_for(app, world.admin)
    assert notes_for(app, world.faraway_admin) == []


def test_everyday_reports_do_not_raise_alerts(app, world):
    for fields in (
        {"physical_harm": PhysicalHarm.LOW},
        {"kind": ReportKind.NEAR_MISS, "category": Category.MEDICATION},
        {"category": Category.RESTRICTIVE_PRACTICE, "follow_up": {"planned": True}},
    ):
        send(app, events.report_submitted, make_report(app, world.willow, **fields))
    assert notes_for(app, world.manager) == []
    assert emails_to(app, world.manager) == []


def test_one_report_meeting_several_rules_makes_one_alert(app, world):
    report_id = make_report(
        app, world.willow, category=Category.SAFEGUARDING, physical_harm=PhysicalHarm.SEVERE
    )
    send(app, events.report_submitted, report_id)
    ((_, message, _),) = notes_for(app, world.manager)
    assert "harmed" in message and "safeguarding" in message and "CQC" in message
    assert len(emails_to(app, world.manager)) == 1


def test_managers_cannot_turn_off_safety_alert_emails(app, world):
    with app.app_context():
        db.session.add(
            EmailPreference(user_id=world.manager.id, topic=EmailTopic.SAFETY_ALERT, wanted=False)
        )
        db.session.commit()
    send(
        app, events.report_submitted, make_report(app, world.willow, category=Category.SAFEGUARDING)
    )
    assert len(emails_to(app, world.manager)) == 1


def record(service, **fields):
    """A stand-in record for the escalation signal (any object with the attributes it reads)."""
    return SimpleNamespace(id=7, service_id=service.id, **fields)


def _restriction(app, service, **fields) -> None:
    """Record a real restriction and send the signal the safeguarding feature sends."""
    values = {
        "person_reference": "WH-9",
        "restraint_type": RestraintType.PHYSICAL,
        "position": RestraintPosition.SEATED,
        "started_at": datetime(2026, 11, 20, 14, tzinfo=UTC),
        "duration_minutes": 3,
        "in_plan": True,
        "capacity": CapacityFinding.LACKS_CAPACITY,
        **fields,
    }
    with app.app_context():
        if "best_interests_id" not in values:
            decision = BestInterestsDecision(
                service_id=service.id,
                person_reference="WH-9",
                decision="Holding hands during personal care",
                capacity_assessment="x",
                regain_capacity="x",
                person_involvement="x",
                wishes_and_values="x",
                consulted="x",
                least_restrictive_option="x",
                decided_on=date(2026, 11, 1),
                review_on=date(2027, 5, 1),
            )
            db.session.add(decision)
            db.session.flush()
            values["best_interests_id"] = decision.id
        record = RestrictivePractice(service_id=service.id, **values)
        db.session.add(record)
        db.session.commit()
        events.restrictive_practice_recorded.send(record)
        return record.id


def test_a_planned_restriction_with_every_safeguard_raises_no_alert(app, world):
    _restriction(app, world.willow)
    assert notes_for(app, world.manager) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"in_plan": False}, "Unplanned: not in the person's support or PBS plan"),
        (
            {"restraint_type": RestraintType.INFORMAL, "position": None, "in_plan": False},
            "Informal restriction",
        ),
        ({"position": RestraintPosition.PRONE}, "Prone (face-down) restraint"),
        (
            {"restraint_type": RestraintType.SECLUSION, "position": None},
            "very likely an unlawful deprivation of liberty",
        ),
        (
            {"restraint_type": RestraintType.SEGREGATION, "position": None},
            "very likely an unlawful deprivation of liberty",
        ),
        ({"capacity": CapacityFinding.NOT_CONSIDERED}, "Capacity not considered"),
        (
            {"capacity": CapacityFinding.HAS_CAPACITY, "consented": False},
            "has capacity for this decision and did not consent",
        ),
        ({"best_interests_id": None}, "no best-interests decision recorded"),
    ],
)
def test_a_recorded_restriction_needing_attention_alerts_managers(app, world, fields, reason):
    record_id = _restriction(app, world.willow, **fields)
    ((kind, message, urgent),) = notes_for(app, world.manager)
    assert kind == "restrictive_practice" and urgent and reason in message
    (email,) = emails_to(app, world.manager)
    assert f"/safeguarding/restrictions/{record_id}" in email.body
    assert "WH-9" not in email.body


def test_safeguarding_concern_alerts_managers(app, world):
    with app.app_context():
        events.safeguarding_concern_raised.send(
            SafeguardingConcern(
                id=7,
                service_id=world.riverside.id,
                concern_type=ConcernType.FINANCIAL,
                person_reference="RV-1",
                what_happened="x",
                raised_at=datetime(2026, 11, 20, tzinfo=UTC),
            )
        )
    ((kind, message, _),) = notes_for(app, world.riverside_manager)
    assert kind == "safeguarding" and "Financial or material abuse" in message
    assert "CQC must be told of any abuse or allegation of abuse (Regulation 18(2)(e))" in message
    assert notes_for(app, world.manager) == []


def test_overdue_escalation_alerts_managers(app, world):
    with app.app_context():
        events.safeguarding_escalation_overdue.send(record(world.willow, label="Escalation"))
    ((kind, message, _),) = notes_for(app, world.manager)
    assert kind == "escalation_overdue" and "past its time limit" in message
    assert len(emails_to(app, world.manager)) == 1


def test_a_failing_alert_never_breaks_the_sender(app, world, caplog):
    with app.app_context():
        events.safeguarding_concern_raised.send(SimpleNamespace(id=1))  # no service_id
    assert "Could not send the alert" in caplog.text


def test_reporter_hears_in_the_app_when_their_report_gets_thanks(app, world):
    report_id = make_report(
        app, world.willow, reporter=world.staff, physical_harm=PhysicalHarm.NONE
    )
    send(app, events.report_feedback_given, report_id, feedback="thanks")
    ((kind, message, urgent),) = notes_for(app, world.staff)
    assert kind == "report_feedback" and "a thank-you" in message and not urgent
    assert emails_to(app, world.staff) == []  # email only if they choose


def test_reporter_who_chose_emails_gets_one_for_learning(app, world, mailbox):
    with app.app_context():
        db.session.add(
            EmailPreference(user_id=world.staff.id, topic=EmailTopic.REPORT_FEEDBACK, wanted=True)
        )
        db.session.commit()
    report_id = make_report(app, world.willow, reporter=world.staff)
    send(app, events.report_feedback_given, report_id, feedback="learning")
    with app.app_context():
        deliver_due()
    (message,) = mailbox.to("carer@willow.example.org")
    assert message["Subject"] == "Your report has learning shared"
    assert SECRET_DETAIL not in mailbox.body(message)


def test_anonymous_reporters_are_never_notified_by_name(app, world):
    report_id = make_report(app, world.willow, reporter=None)
    send(app, events.report_feedback_given, report_id, feedback="thanks")
    with app.app_context():
        assert db.session.scalars(select(Notification)).all() == []
        assert db.session.scalars(select(OutboundEmail)).all() == []


def test_an_overdue_escalation_is_repeated_at_most_once_a_day_while_unread(app, world):
    with app.app_context():
        for _ in range(3):  # e.g. an hourly check
            events.safeguarding_escalation_overdue.send(record(world.willow, url="/esc/7"))
        events.safeguarding_escalation_overdue.send(record(world.willow, url="/esc/8"))
    assert len(notes_for(app, world.manager)) == 2
    assert len(emails_to(app, world.manager)) == 2
