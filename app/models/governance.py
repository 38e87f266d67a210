"""Evidence that learning was shared: meetings, the staff pulse and "you said, we did"."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import User, _enum
from app.models.reports import LabelledEnum, Report


class MeetingKind(LabelledEnum):
    TEAM = "team", "Team meeting"
    HANDOVER = "handover", "Handover"
    GOVERNANCE = "governance", "Governance meeting"


meeting_attendee = Table(
    "meeting_attendee",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id"), primary_key=True),
)


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised on every save; a save from a form opened on an older version is refused
    # (app/concurrency.py), and two saves at once cannot both win (version_id_col).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendee, order_by=User.name)
    learning_items: Mapped[list[MeetingLearningItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingLearningItem.id"
    )


class MeetingLearningItem(Base):
    """One piece of learning discussed: a report's learning, or a theme in words."""

    __tablename__ = "meeting_learning_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    theme: Mapped[str] = mapped_column(String(300))

    meeting: Mapped[Meeting] = relationship(back_populates="learning_items")
    report: Mapped[Report | None] = relationship()


class PulseResponse(Base):
    """One anonymous answer set. No person, no time: only the service and the month.

    A random id (not a sequence) so the order of answers cannot be matched to the order of
    PulseParticipation rows.
    """

    __tablename__ = "pulse_response"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    safe_to_report: Mapped[int] = mapped_column(SmallInteger)
    hear_back: Mapped[int] = mapped_column(SmallInteger)
    talk_without_blame: Mapped[int] = mapped_column(SmallInteger)


class PulseParticipation(Base):
    """Only that a person answered in a month, so they are asked at most monthly."""

    __tablename__ = "pulse_participation"
    __table_args__ = (UniqueConstraint("user_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))


class YouSaidWeDid(Base):
    """A change made because staff spoke up, shown on the service's board."""

    __tablename__ = "you_said_we_did"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    changed_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "Meeting",
    "MeetingKind",
    "MeetingLearningItem",
    "PulseParticipation",
    "PulseResponse",
    "YouSaidWeDid",
    "meeting_attendee",
]
