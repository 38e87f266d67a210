"""Email goes through an outbox: sent after the response, retried with backoff, failures shown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import EmailTopic, MailStatus, OutboundEmail, utcnow
from app.notifications.mail import deliver_due, queue_email, wait_for_background_delivery
from tests.conftest import post_form, sign_in
from tests.mailbox import free_port


def client_for(app, user):
    own = app.test_client()
    assert sign_in(own, user.email).status_code == 302
    return own


def queue(app, world, to="someone@willow.example.org") -> int:
    with app.app_context():
        message = queue_email(
            to, "Hello", "A message", topic=EmailTopic.ACCOUNT, service_id=world.willow.id
        )
        db.session.commit()
        return message.id


def stored(app, message_id: int) -> OutboundEmail:
    with app.app_context():
        message = db.session.get(OutboundEmail, message_id)
        db.session.expunge(message)
        return message


def invite_data(world):
    return {
        "name": "Nia Newstart",
        "email": "nia@willow.example.org",
        "role": "staff",
        "service_id": str(world.willow.id),
    }


def test_mail_is_sent_after_the_request_in_the_background(app, world, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_COMMIT", True)
    manager = client_for(app, world.manager)
    response = post_form(manager, "/people/invite", invite_data(world), page_url="/people/invite")
    assert response.status_code == 302
    wait_for_background_delivery()
    (message,) = mailbox.to("nia@willow.example.org")
    assert message["From"] == app.config["MAIL_FROM"]
    assert "/welcome/" in mailbox.body(message)


def test_a_mail_server_that_is_down_never_breaks_the_request(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens here
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_COMMIT", True)
    manager = client_for(app, world.manager)
    response = post_form(manager, "/people/invite", invite_data(world), page_url="/people/invite")
    assert response.status_code == 302
    wait_for_background_delivery()
    with app.app_context():
        message = db.session.scalars(select(OutboundEmail)).one()
        assert message.status is MailStatus.PENDING and message.attempts == 1
        assert "Connection refused" in message.last_error or "Errno" in message.last_error
        assert message.next_attempt_at > utcnow() + timedelta(seconds=50)


def _make_due(app, message_id):
    with app.app_context():
        db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == message_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_refused_mail_is_retried_with_growing_waits_then_marked_failed(app, world, mailbox):
    mailbox.refuse = True
    message_id = queue(app, world)
    waits = []
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        with app.app_context():
            deliver_due()
        message = stored(app, message_id)
        waits.append(message.next_attempt_at - utcnow())
        _make_due(app, message_id)
    assert message.status is MailStatus.FAILED
    assert message.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert "451" in message.last_error
    retry_waits = waits[:-1]
    assert all(
        later > earlier for earlier, later in zip(retry_waits, retry_waits[1:], strict=False)
    )


def test_a_retried_message_is_sent_once_the_server_accepts(app, world, mailbox):
    mailbox.refuse = True
    message_id = queue(app, world)
    with app.app_context():
        assert deliver_due() == {"sent": 0, "logged": 0, "retry": 1, "failed": 0}
        assert deliver_due()["retry"] == 0  # not due yet: waiting for its backoff
    mailbox.refuse = False
    _make_due(app, message_id)
    with app.app_context():
        assert deliver_due()["sent"] == 1
    assert stored(app, message_id).status is MailStatus.SENT
    assert len(mailbox.messages) == 1


def test_nothing_is_sent_twice(app, world, mailbox):
    queue(app, world)
    with app.app_context():
        deliver_due()
        deliver_due()
    assert len(mailbox.messages) == 1


def test_a_message_a_crashed_sender_left_sending_goes_out_later_but_not_twice(app, world, mailbox):
    """A process that died mid-send leaves its message "sending": another sender takes it up
    once it is 10 minutes stale, and never while the first may still be at it."""
    fresh, stale = queue(app, world, "fresh@willow.example.org"), queue(app, world)
    with app.app_context():
        for message_id, minutes in ((fresh, 2), (stale, 11)):
            db.session.execute(
                update(OutboundEmail)
                .where(OutboundEmail.id == message_id)
                .values(
                    status=MailStatus.SENDING,
                    next_attempt_at=utcnow() - timedelta(minutes=minutes),
                )
            )
        db.session.commit()
        assert deliver_due()["sent"] == 1
    assert [m["To"] for m in mailbox.messages] == ["someone@willow.example.org"]
    assert stored(app, fresh).status is MailStatus.SENDING


def test_managers_see_what_failed_for_their_service_and_can_retry(app, world, mailbox):
    message_id = queue(app, world, to="bounced@willow.example.org")
    with app.app_context():
        db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == message_id)
            .values(status=MailStatus.FAILED, attempts=6, last_error="SMTPDataError: 451")
        )
        db.session.commit()
    manager = client_for(app, world.manager)
    page = manager.get("/mail/problems").get_data(as_text=True)
    assert "bounced@willow.example.org" in page and "SMTPDataError: 451" in page
    other = client_for(app, world.riverside_manager)
    assert "bounced@willow.example.org" not in other.get("/mail/problems").get_data(as_text=True)
    assert post_form(other, f"/mail/{message_id}/retry", {}).status_code == 404
    assert client_for(app, world.staff).get("/mail/problems").status_code == 403

    response = post_form(manager, f"/mail/{message_id}/retry", {}, page_url="/mail/problems")
    assert response.status_code == 302
    with app.app_context():
        deliver_due()
    assert mailbox.to("bounced@willow.example.org")
    assert "Every email for your service has been sent" in manager.get("/mail/problems").get_data(
        as_text=True
    )


def test_without_a_mail_server_development_logs_mail_and_lists_it(app, world, caplog, monkeypatch):
    queue(app, world)
    with app.app_context():
        assert deliver_due()["logged"] == 1
    assert "someone@willow.example.org" in caplog.text and "A message" in caplog.text
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    page = client_for(app, world.admin).get("/dev/mail")
    assert page.status_code == 200 and "A message" in page.get_data(as_text=True)


def test_the_development_mailbox_is_only_for_an_admin_in_development(app, world, monkeypatch):
    """It shows live reset and invitation links: signed out, it used to show them to anyone."""
    queue(app, world)
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    assert app.test_client().get("/dev/mail").status_code == 404  # signed out
    for person in (world.staff, world.supervisor, world.manager):
        assert client_for(app, person).get("/dev/mail").status_code == 404
    assert client_for(app, world.admin).get("/dev/mail").status_code == 200
    for env in ("production", "testing"):
        monkeypatch.setitem(app.config, "ENV_NAME", env)
        assert client_for(app, world.admin).get("/dev/mail").status_code == 404
        assert app.test_client().get("/dev/mail").status_code == 404


def test_production_without_a_mail_server_keeps_mail_waiting(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    message_id = queue(app, world)
    with app.app_context():
        deliver_due()
    assert stored(app, message_id).status is MailStatus.PENDING


def test_home_page_tells_managers_when_emails_failed(app, world):
    message_id = queue(app, world, to="bounced@willow.example.org")
    with app.app_context():
        db.session.get(OutboundEmail, message_id).status = MailStatus.FAILED
        db.session.commit()
    home = client_for(app, world.manager).get("/").get_data(as_text=True)
    assert "1 email could not be sent" in home
    other = client_for(app, world.riverside_manager).get("/").get_data(as_text=True)
    assert "could not be sent" not in other
