"""Messages that reach the right person: the email outbox, in-app notifications, sign-in links
for invitations and password resets, and each person's email choices.

Emails are never sent inside a request: they are written to `outbound_email` in the same
transaction as the change that caused them and sent afterwards (see app/notifications/mail.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import User, _enum
from app.models.reports import LabelledEnum


class MailStatus(LabelledEnum):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    LOGGED = "logged", "Written to the log (no mail server set up)"
    FAILED = "failed", "Could not be sent"


class EmailTopic(LabelledEnum):
    """What an email is about. Invitations and resets are always sent; the rest can be chosen."""

    SAFETY_ALERT = "safety_alert", "Safety alerts for my service"
    REPORT_FEEDBACK = "report_feedback", "Thanks and learning on reports I made"
    WEEKLY_DIGEST = "weekly_digest", "A weekly summary for managers"
    ACCOUNT = "account", "Invitations and password resets"


class LinkPurpose(LabelledEnum):
    INVITATION = "invitation", "Invitation"
    PASSWORD_RESET = "password_reset", "Password reset"


class OutboundEmail(Base):
    """One email in the outbox. Kept after sending, so failures can be seen and retried."""

    __tablename__ = "outbound_email"
    __table_args__ = (
        Index("ix_outbound_email_status_next", "status", "next_attempt_at"),
        Index("ix_outbound_email_service_status", "service_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    topic: Mapped[EmailTopic] = mapped_column(_enum(EmailTopic, "email_topic"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        _enum(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()


class Notification(Base):
    """A message in someone's in-app list: a short text and a link, never a report's details."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(300))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountLink(Base):
    """A single-use, expiring link to set a password (an invitation or a reset).

    Only the SHA-256 hash of the token is stored; the token itself exists only in the email.
    """

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    purpose: Mapped[LinkPurpose] = mapped_column(_enum(LinkPurpose, "link_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ResetRequest(Base):
    """Someone asked for a password reset for this address: kept until the mail sender handles
    it (app/notifications/accounts.py, `send_requested_resets`), then deleted.

    Asking writes this one row whatever the address, and nothing else, so the answer takes as
    long for an address with an account as for one without; looking the person up, making the
    link and writing the email happen afterwards, outside the request.
    """

    __tablename__ = "reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailPreference(Base):
    """A person's choice for one email topic; no row means the topic's default."""

    __tablename__ = "email_preference"
    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    topic: Mapped[EmailTopic] = mapped_column(_enum(EmailTopic, "email_topic"))
    wanted: Mapped[bool] = mapped_column(Boolean)
