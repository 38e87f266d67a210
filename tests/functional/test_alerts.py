"""Safety alerts reach the service's managers; reporters hear about thanks and learning."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import events
from app.extensions import db
from app.models import (
    Category,
    EmailPreference,
    EmailTopic,
    Notification,
    OutboundEmail,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportKind,
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
        ({"physical_harm": PhysicalHarm.SEVERE}, "duty of candour step or a CQC notification"),
        ({"physical_harm": PhysicalHarm.FATAL}, "duty of candour step or a CQC notification"),
        ({"follow_up": {"police_involved": True}}, "CQC notification"),
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
    """A stand-in for the safeguarding feature's records (see app/notifications/alerts.py)."""
    return SimpleNamespace(id=7, service_id=service.id, **fields)


def test_unplanned_restrictive_practice_alerts_managers(app, world):
    with app.app_context():
        events.restrictive_practice_recorded.send(
            record(world.willow, label="Physical restraint", planned=False, url="/rp/7")
        )
        events.restrictive_practice_recorded.send(
            record(world.willow, label="Environmental restriction", planned=True)
        )
    ((kind, message, urgent),) = notes_for(app, world.manager)
    assert kind == "restrictive_practice" and urgent
    assert "Physical restraint" in message
    (email,) = emails_to(app, world.manager)
    assert "/rp/7" in email.body


def test_informal_restriction_kind_alerts_managers(app, world):
    kind = SimpleNamespace(value="informal", label="Informal or unplanned restriction")
    with app.app_context():
        events.restrictive_practice_recorded.send(record(world.willow, kind=kind))
    assert [k for k, _, _ in notes_for(app, world.manager)] == ["restrictive_practice"]


def test_safeguarding_concern_alerts_managers(app, world):
    with app.app_context():
        events.safeguarding_concern_raised.send(record(world.riverside, label="Financial abuse"))
    ((kind, message, _),) = notes_for(app, world.riverside_manager)
    assert kind == "safeguarding" and "Financial abuse" in message and "CQC" in message
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
