"""Email over SMTP through an outbox, so sending never blocks or breaks a request.

How a message travels:

1. `queue_email()` adds an `OutboundEmail` row to the current transaction. If the change that
   caused it rolls back, the email is never sent; if it commits, the email is safely stored.
2. After the commit, a small background thread (one per commit that queued mail, started by a
   SQLAlchemy `after_commit` hook) delivers what is due, in its own app context and database
   session. The request has already answered by then; SMTP being slow or down cannot hurt it.
   The hook is registered with the others in app/hooks.py.
   Set `MAIL_SEND_AFTER_COMMIT=false` to turn the thread off (the test suite does).
3. `flask --app wsgi mail worker` runs the same delivery in a loop (every 30 seconds). Run it
   beside the web processes in production: it retries failures with exponential backoff
   (`MAIL_RETRY_BASE_SECONDS` × 2^attempts) and sends anything a crashed thread left behind.
   `flask --app wsgi mail send` does a single pass (for cron).
4. After `MAIL_MAX_ATTEMPTS` failures a message is marked failed, with its last error; managers
   see their service's failures at /mail/problems and can try again.

Each message is claimed with a conditional UPDATE before sending, so several threads, workers
or app processes never send the same message twice.

Without `MAIL_SERVER`, development and testing write each message to the log and mark it
"logged"; /dev/mail lists them to a signed-in admin in development (404 anywhere else). In production without a server, messages
stay waiting and an error is logged: nothing is silently dropped.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app, has_request_context, url_for

from app import outbox
from app.extensions import db
from app.models import EmailTopic, MailStatus, OutboundEmail, User, utcnow
from app.outbox import AfterCommitSender

log = logging.getLogger("learnloop.mail")


def queue_email(
    to: User | str,
    subject: str,
    body: str,
    *,
    topic: EmailTopic,
    service_id: int | None = None,
) -> OutboundEmail:
    """Add an email to the outbox in the current transaction (the caller commits)."""
    recipient = to if isinstance(to, User) else None
    message = OutboundEmail(
        to_address=recipient.email if recipient else to,
        recipient_id=recipient.id if recipient else None,
        service_id=service_id if service_id is not None else getattr(recipient, "service_id", None),
        topic=topic,
        subject=subject[:200],
        body=body,
        status=MailStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    sender.mark_queued()
    return message


def path_to(endpoint: str, **values) -> str:
    """url_for() that also works outside a request (the CLI, the worker, background alerts)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def external_url(path: str) -> str:
    """An absolute link for an email, always from APP_BASE_URL (app/config.py): never from
    the request, whose Host header anyone can write."""
    base = current_app.config.get("APP_BASE_URL")
    if not base:
        raise RuntimeError("APP_BASE_URL is not set: links in emails need it.")
    return base.rstrip("/") + path


# -- delivery ---------------------------------------------------------------------------------


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Send every message that is due; return how many were sent, logged, retried or failed.

    Password reset requests are turned into emails first (they wait in `reset_request`, so
    that asking takes the same time whether or not the address has an account)."""
    from app.notifications.accounts import send_requested_resets  # accounts imports this module

    send_requested_resets()
    counts = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    due = outbox.due_ids(OutboundEmail, MailStatus, limit)
    for message_id in due:
        outcome = _deliver_one(message_id)
        if outcome:
            counts[outcome] += 1
    return counts


def _deliver_one(message_id: int) -> str | None:
    message = outbox.claim(OutboundEmail, MailStatus, message_id)
    if message is None:
        return None
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config["ENV_NAME"] == "production":
            log.error("MAIL_SERVER is not set: email %s is waiting to be sent.", message.id)
            message.status = MailStatus.PENDING
            message.next_attempt_at = utcnow() + timedelta(minutes=5)
            db.session.commit()
            return None
        # Warning level, so the default logging set-up shows it in the development console.
        log.warning(
            "Email (no MAIL_SERVER set) to %s: %s\n%s",
            message.to_address,
            message.subject,
            message.body,
        )
        message.status = MailStatus.LOGGED
        message.sent_at = utcnow()
        db.session.commit()
        return "logged"
    try:
        send_over_smtp(message, config)
    except (OSError, smtplib.SMTPException) as error:
        return _record_failure(message, error)
    message.status = MailStatus.SENT
    message.sent_at = utcnow()
    message.attempts += 1
    message.last_error = None
    db.session.commit()
    return "sent"


def _record_failure(message: OutboundEmail, error: Exception) -> str:
    config = current_app.config
    return outbox.record_failure(
        message,
        MailStatus,
        f"{type(error).__name__}: {error}",
        max_attempts=config["MAIL_MAX_ATTEMPTS"],
        base_seconds=config["MAIL_RETRY_BASE_SECONDS"],
    )


def build_message(message: OutboundEmail, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain="learnloop")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def send_over_smtp(message: OutboundEmail, config) -> None:
    """Open one SMTP connection, secure it, log in, send.

    Port 465 means TLS from the first byte (SMTPS); otherwise MAIL_USE_TLS upgrades the
    connection with STARTTLS. Certificates are always checked.
    """
    context = ssl.create_default_context()
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    if port == 465:
        connection = smtplib.SMTP_SSL(server, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(server, port, timeout=timeout)
    with connection as smtp:
        if port != 465 and config["MAIL_USE_TLS"]:
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(build_message(message, config["MAIL_FROM"]))


def retry(message: OutboundEmail) -> None:
    """A manager asked to try a failed message again: it goes back in the queue now."""
    message.status = MailStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.info["mail_queued"] = True


# The background sender after each commit that queued mail (hooks in app/hooks.py).
sender = AfterCommitSender("email", "mail_queued", "MAIL_SEND_AFTER_COMMIT", deliver_due)
send_after_commit = sender.send_after_commit
forget_queued_mail = sender.forget_queued
wait_for_background_delivery = sender.wait_for_background_delivery
