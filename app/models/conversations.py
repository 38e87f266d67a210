"""A conversation with the sender of an anonymous report, and Web Push subscriptions.

Conversation: managers write under their own name; the reporter writes with nothing but the
receipt code, and what they write waits in `held_conversation_message` (no person, no exact
time, no request detail) until a random moment in the release window, exactly as anonymous
reports do (app/reports/conversation.py, docs/security.md).

Push: a subscription belongs either to a person (`user_id`) or to one receipt code
(`receipt_hash`), never both, so an anonymous reporter's phone is never stored against them.
Sends wait in `outbound_push`, like email in `outbound_email` (app/notifications/push.py).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import User, _enum


class MessageKind(enum.StrEnum):
    """What a message in the conversation is. The first two are the manager's, the rest the
    reporter's."""

    QUESTION = "question"  # the manager asks something
    UPDATE = "update"  # the manager says what is happening
    ANSWER = "answer"  # the reporter answers
    REMEMBERED = "remembered"  # the reporter adds something they remember later
    CLOSED = "closed"  # the reporter ends the conversation

    @property
    def from_reporter(self) -> bool:
        return self in REPORTER_KINDS

    @property
    def label(self) -> str:
        return MESSAGE_LABELS[self]


REPORTER_KINDS = frozenset({MessageKind.ANSWER, MessageKind.REMEMBERED, MessageKind.CLOSED})
MANAGER_KINDS = frozenset({MessageKind.QUESTION, MessageKind.UPDATE})
MESSAGE_LABELS = {
    MessageKind.QUESTION: "A question",
    MessageKind.UPDATE: "What is happening",
    MessageKind.ANSWER: "The reporter's answer",
    MessageKind.REMEMBERED: "Something the reporter remembered",
    MessageKind.CLOSED: "The reporter closed the conversation",
}


class ConversationMessage(Base):
    """One message on an anonymous report's thread, as managers and the reporter see it.

    `author_id` is the manager who wrote it; always empty for the reporter's messages, whose
    `created_at` is the start of the release window they were sent in, not the moment."""

    __tablename__ = "conversation_message"
    __table_args__ = (Index("ix_conversation_message_report", "report_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "conversation_message_kind"))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class HeldConversationMessage(Base):
    """A reporter's message waiting for its release (deleted once released)."""

    __tablename__ = "held_conversation_message"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, orders nothing
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "conversation_message_kind"))
    body: Mapped[str] = mapped_column(Text, default="")
    sent_window: Mapped[datetime] = mapped_column(UTCDateTime)
    release_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PushSubscription(Base):
    """One browser's push endpoint and keys, for a person or for one receipt code."""

    __tablename__ = "push_subscription"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (receipt_hash IS NULL)", name="owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the endpoint: one row per endpoint, however long the push service makes it.
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(Text)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    receipt_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # For a receipt code's subscription, the day only: the moment would sit beside sign-ins.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    GONE = "gone"  # the push service said the subscription no longer exists


class OutboundPush(Base):
    """One push waiting to go to one subscription, retried with backoff like email."""

    __tablename__ = "outbound_push"
    __table_args__ = (Index("ix_outbound_push_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL"), index=True
    )
    path: Mapped[str] = mapped_column(String(200))  # where tapping the notification leads
    status: Mapped[PushStatus] = mapped_column(
        _enum(PushStatus, "push_status"), default=PushStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[PushSubscription | None] = relationship()
