"""In-app notifications with a count in the header, email choices, and the weekly digest."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Action,
    Category,
    EmailPreference,
    EmailTopic,
    Notification,
    Report,
    ReportKind,
    User,
    utcnow,
)
from app.notifications.mail import deliver_due
from app.notifications.services import notify
from tests.conftest import post_form, sign_in


def client_for(app, user):
    own = app.test_client()
    assert sign_in(own, user.email).status_code == 302
    return own


def give(app, user, *messages, link="/") -> list[int]:
    with app.app_context():
        person = db.session.get(User, user.id)
        notes = [notify(person, m, kind="test", link=link) for m in messages]
        db.session.commit()
        return [n.id for n in notes]


def test_header_shows_how_many_notifications_are_new(app, world):
    give(app, world.staff, "Your report has a thank-you.", "Your report has learning shared.")
    give(app, world.supervisor, "Someone else's news")
    staff = client_for(app, world.staff)
    assert "2 new" in staff.get("/").get_data(as_text=True)


def test_notifications_list_marks_read_and_unread(app, world):
    first, second = give(app, world.staff, "First news", "Second news")
    staff = client_for(app, world.staff)
    page = staff.get("/notifications").get_data(as_text=True)
    assert "2 new notifications." in page and "First news" in page
    post_form(staff, f"/notifications/{first}/read", {}, page_url="/notifications")
    page = staff.get("/notifications").get_data(as_text=True)
    assert "1 new notification." in page and "1 new" in page
    post_form(staff, "/notifications/read", {}, page_url="/notifications")
    page = staff.get("/notifications").get_data(as_text=True)
    assert "You are all caught up." in page and " new</span>" not in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(app, world):
    (note_id,) = give(app, world.staff, "Look at this", link="/notifications/settings")
    staff = client_for(app, world.staff)
    response = post_form(staff, f"/notifications/{note_id}/open", {}, page_url="/notifications")
    assert response.headers["Location"] == "/notifications/settings"
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is not None


def test_nobody_can_open_or_read_someone_elses_notifications(app, world):
    (note_id,) = give(app, world.staff, "Private news")
    manager = client_for(app, world.manager)
    assert "Private news" not in manager.get("/notifications").get_data(as_text=True)
    response = post_form(manager, f"/notifications/{note_id}/open", {})
    assert response.status_code == 404
    post_form(manager, f"/notifications/{note_id}/read", {})
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is None


def test_notifications_list_uses_a_fixed_number_of_queries(app, world, count_queries):
    give(app, world.staff, *[f"News {n}" for n in range(12)])
    staff = client_for(app, world.staff)
    with count_queries() as counted:
        assert staff.get("/notifications").status_code == 200
    assert counted.count <= 5, counted.statements


def test_staff_choose_to_get_feedback_emails(app, world):
    staff = client_for(app, world.staff)
    page = staff.get("/notifications/settings").get_data(as_text=True)
    assert "Thanks and learning on reports I made" in page
    assert "Safety alerts" not in page and "weekly summary" not in page
    post_form(
        staff,
        "/notifications/settings",
        {"topic": "report_feedback"},
        page_url="/notifications/settings",
    )
    with app.app_context():
        chosen = db.session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == world.staff.id)
        ).one()
        assert chosen.topic is EmailTopic.REPORT_FEEDBACK and chosen.wanted


def test_managers_can_stop_the_digest_but_not_safety_alerts(app, world):
    manager = client_for(app, world.manager)
    page = manager.get("/notifications/settings").get_data(as_text=True)
    assert "Your role must receive these, so they stay on." in page
    post_form(manager, "/notifications/settings", {}, page_url="/notifications/settings")
    with app.app_context():
        from app.notifications.services import wants_email

        person = db.session.get(User, world.manager.id)
        assert wants_email(person, EmailTopic.SAFETY_ALERT)
        assert not wants_email(person, EmailTopic.WEEKLY_DIGEST)


def _digest_world(app, world):
    with app.app_context():
        for kind in (ReportKind.NEAR_MISS, ReportKind.INCIDENT):
            db.session.add(
                Report(
                    service_id=world.willow.id,
                    kind=kind,
                    category=Category.FALLS,
                    description="Secret details",
                    occurred_on=date(2026, 11, 20),
                )
            )
        db.session.add(
            Action(
                service_id=world.willow.id,
                description="Fix the bed rails",
                due_on=utcnow().date() - timedelta(days=3),
            )
        )
        db.session.commit()


def test_weekly_digest_tells_managers_about_new_reports_and_overdue_actions(app, world, mailbox):
    _digest_world(app, world)
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    (message,) = mailbox.to("manager@willow.example.org")
    body = mailbox.body(message)
    assert message["Subject"] == "Your week in LearnLoop"
    assert "2 new reports this week" in body
    assert "2 reports are still waiting to be looked at." in body
    assert "1 action is past the date agreed." in body
    assert "Secret details" not in body and "bed rails" not in body
    assert mailbox.to("carer@willow.example.org") == []
    admin_body = mailbox.body(mailbox.to("admin@willow.example.org")[0])
    assert "Willow House" in admin_body and "Riverside" in admin_body


def test_digest_is_sent_once_a_week_and_respects_choices(app, world, mailbox):
    with app.app_context():
        db.session.add(
            EmailPreference(user_id=world.admin.id, topic=EmailTopic.WEEKLY_DIGEST, wanted=False)
        )
        db.session.commit()
    runner = app.test_cli_runner()
    runner.invoke(args=["mail", "digest"])
    runner.invoke(args=["mail", "digest"])
    assert len(mailbox.to("manager@willow.example.org")) == 1
    assert mailbox.to("admin@willow.example.org") == []


def test_other_areas_can_add_lines_to_the_digest(app, world, mailbox, monkeypatch):
    from app.notifications import digest

    monkeypatch.setattr(digest.DIGEST_SECTIONS, "_entries", list(digest.DIGEST_SECTIONS._entries))
    digest.digest_section(order=35)(lambda service, since, today: ["3 observations are due."])
    app.test_cli_runner().invoke(args=["mail", "digest"])
    assert "3 observations are due." in mailbox.body(mailbox.to("manager@willow.example.org")[0])


def test_mail_send_command_delivers_the_outbox(app, world, mailbox):
    client = app.test_client()
    post_form(client, "/reset", {"email": "carer@willow.example.org"}, page_url="/reset")
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "1 sent" in result.output
    assert mailbox.to("carer@willow.example.org")
    with app.app_context():
        assert deliver_due()["sent"] == 0


def test_marking_read_with_htmx_returns_the_card_and_the_new_header_count(app, world):
    first, _second = give(app, world.staff, "First news", "Second news")
    staff = client_for(app, world.staff)
    response = post_form(
        staff,
        f"/notifications/{first}/read",
        {},
        page_url="/notifications",
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="notification-{first}"' in html and "Read ·" in html
    assert 'hx-swap-oob="true"' in html and "1 new" in html
