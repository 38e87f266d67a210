"""A conversation with the sender of an anonymous report, that nobody can link to them.

Why: reporters who never hear back stop reporting, and a manager often needs one more detail.
The reporter has nothing but their receipt code, so the thread is read and answered on
`/reports/receipt`, where the page's requests leave the session cookie behind
(app/static/js/receipt.js, `credentials: "omit"`).

How the reporter's side stays unlinkable (docs/security.md, the threat model):
- what they write is held in `held_conversation_message` and released at a random moment in
  the release window, in a shuffled batch, exactly like an anonymous report
  (app/reports/anonymity.py `release_time_for`, `sent_window_for`); the released message is
  dated to the start of its window, not the moment;
- it is audited at release by the system: no person, no role, no request id;
- nothing about the request is kept: no session, address, device or time of sending.

Managers write under their own name, audited as themselves, and may only write while the
reporter has not closed the conversation.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.audit import log_event
from app.extensions import db
from app.models import (
    ConversationMessage,
    HeldConversationMessage,
    MessageKind,
    Report,
    User,
    utcnow,
)
from app.models.conversations import MANAGER_KINDS, REPORTER_KINDS
from app.reports import anonymity

MESSAGE_MAX = 4000
_chance = random.SystemRandom()


class MessageRefused(ValueError):
    """A message that cannot be added; the text says why, in words for the person."""


@dataclass(frozen=True)
class ThreadLine:
    """One line of the thread as a page shows it."""

    kind: MessageKind
    body: str
    when: datetime
    from_reporter: bool
    on_its_way: bool = False  # the reporter's own message, not yet released

    @property
    def label(self) -> str:
        return self.kind.label


# ---- reading ------------------------------------------------------------------------------


def messages(report: Report) -> list[ConversationMessage]:
    return list(
        db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.report_id == report.id)
            # In the order they reached managers: a reporter's message is dated to the start
            # of its window, which may be before the question it answers.
            .order_by(ConversationMessage.id)
        )
    )


def held(report: Report) -> list[HeldConversationMessage]:
    return list(
        db.session.scalars(
            select(HeldConversationMessage)
            .where(HeldConversationMessage.report_id == report.id)
            .order_by(HeldConversationMessage.sent_window)
        )
    )


def is_closed(report: Report) -> bool:
    """Closed by the reporter (once released: until then managers may still write)."""
    return any(m.kind is MessageKind.CLOSED for m in messages(report))


def thread(report: Report, *, for_reporter: bool = False) -> list[ThreadLine]:
    """The thread, oldest first. The reporter also sees their own messages still on their way;
    managers never see a held message."""
    lines = [
        ThreadLine(m.kind, m.body, m.created_at, m.kind.from_reporter) for m in messages(report)
    ]
    if for_reporter:
        lines += [
            ThreadLine(h.kind, h.body, h.sent_window, True, on_its_way=True) for h in held(report)
        ]
    return lines


def reporter_may_write(report: Report) -> bool:
    return (
        report.anonymous
        and not is_closed(report)
        and not any(h.kind is MessageKind.CLOSED for h in held(report))
    )


def reply_marker(report: Report) -> str:
    """A short token that changes whenever something new reaches the reporter (a manager's
    message, thanks or learning). The phone compares it with the one it last showed, to say
    "a reply is waiting" without keeping anything the server could recognise."""
    newest = [
        (m.id, m.created_at.isoformat()) for m in messages(report) if not m.kind.from_reporter
    ]
    feedback = report.feedback_updated_at.isoformat() if report.feedback_updated_at else ""
    text = f"{report.id}|{newest}|{feedback}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def has_news(report: Report) -> bool:
    """Whether anything has reached the reporter at all (for a first look on a new phone)."""
    return bool(report.feedback_updated_at) or any(
        not m.kind.from_reporter for m in messages(report)
    )


# ---- writing ------------------------------------------------------------------------------


def _clean(body: str | None, *, required: bool) -> str:
    text = (body or "").strip()
    if required and not text:
        raise MessageRefused("Write your message first.")
    if len(text) > MESSAGE_MAX:
        raise MessageRefused(f"Keep it under {MESSAGE_MAX:,} characters.")
    return text


def manager_writes(report: Report, manager: User, kind: MessageKind, body: str) -> None:
    """A manager asks a question or says what is happening (committed, audited as them)."""
    if not report.anonymous:
        raise MessageRefused("Conversations are for anonymous reports: talk to the reporter.")
    if kind not in MANAGER_KINDS:
        raise MessageRefused("Choose whether this is a question or an update.")
    if is_closed(report):
        raise MessageRefused("The reporter closed this conversation.")
    message = ConversationMessage(
        report_id=report.id, kind=kind, body=_clean(body, required=True), author_id=manager.id
    )
    db.session.add(message)
    db.session.flush()
    log_event(
        "conversation.manager_wrote",
        report,
        summary={"kind": kind.value, "message": message.id},
    )
    from app.notifications.push import queue_for_receipt

    queue_for_receipt(report.receipt_hash)
    db.session.commit()


def reporter_writes(
    report: Report, kind: MessageKind, body: str, now: datetime | None = None
) -> HeldConversationMessage:
    """The reporter answers, adds what they remember, or closes (committed, held until its
    release). Nothing is audited now and nothing about the request is kept."""
    if kind not in REPORTER_KINDS:
        raise MessageRefused("Choose what you want to do.")
    if not reporter_may_write(report):
        raise MessageRefused("This conversation is closed.")
    text = _clean(body, required=kind is not MessageKind.CLOSED)
    now = now or utcnow()
    message = HeldConversationMessage(
        id=secrets.token_hex(16),
        report_id=report.id,
        kind=kind,
        body=text,
        sent_window=anonymity.sent_window_for(now),
        release_after=anonymity.release_time_for(now),
    )
    db.session.add(message)
    db.session.commit()
    return message


# ---- release ------------------------------------------------------------------------------


def release_due(now: datetime | None = None) -> int:
    """Release every held reporter message whose time has come, in one shuffled batch.

    Each becomes a message dated to the start of its window, with an audit entry made by the
    system, and the report's managers are told (in the app, and by push if they chose it)."""
    now = now or utcnow()
    query = select(HeldConversationMessage).where(HeldConversationMessage.release_after <= now)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = list(db.session.scalars(query))
    if not due:
        db.session.rollback()
        return 0
    _chance.shuffle(due)
    touched: dict[int, Report] = {}
    try:
        for waiting in due:
            report = db.session.get(Report, waiting.report_id)
            message = ConversationMessage(
                report_id=waiting.report_id,
                kind=waiting.kind,
                body=waiting.body,
                author_id=None,
                created_at=waiting.sent_window,
            )
            db.session.delete(waiting)
            db.session.add(message)
            db.session.flush()
            log_event(
                "conversation.reporter_wrote",
                report,
                summary={"kind": waiting.kind.value, "message": message.id},
                system=True,
            )
            touched[report.id] = report
        _tell_managers(touched.values())
        db.session.commit()
    except (IntegrityError, OperationalError):
        db.session.rollback()  # another process released them first
        return 0
    return len(due)


def _tell_managers(reports) -> None:
    from app.notifications.mail import path_to
    from app.notifications.services import managers_of, notify

    for report in reports:
        link = path_to("reports.review", report_id=report.id) + "#conversation"
        for manager in managers_of(report.service_id):
            notify(
                manager,
                "The sender of an anonymous report wrote back.",
                kind="conversation",
                link=link,
            )
