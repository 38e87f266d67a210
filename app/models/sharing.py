"""Share links: an evidence pack opened by inspectors and commissioners without signing in.

Only the SHA-256 hash of a link's token is kept (the token itself is shown once, to the manager
who made the link), and only an argon2 hash of its passcode. The learning stories are a copy of
the text the manager approved for sharing, so a later edit of the record never reaches readers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import User


class EvidenceShare(Base):
    __tablename__ = "evidence_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The service the link belongs to in the access policy: the one chosen, or for an admin's
    # link to all their services, the admin's own service.
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    service_ids: Mapped[list[int]] = mapped_column(JSON)  # the services the pack covers
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    stories: Mapped[list[dict]] = mapped_column(JSON, default=list)  # approved for sharing
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    passcode_hash: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    views: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def state(self, now: datetime) -> str:
        """ "revoked", "expired" or "active": the first two answer 410 Gone."""
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "active"
