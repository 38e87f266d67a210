"""Team debriefs after incidents, and the unsafe workarounds that debriefs and reflections flag.

A debrief belongs to one service. Its contributions sit under the prompts of its format
(structured debrief, SWARM huddle or After Action Review); its agreed actions are ordinary
`Action` rows with `debrief_id` set. For debriefs about serious reports (moderate or worse harm)
we store whether a leader (manager or admin) attended, because the dashboard reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import Role, Service, User, _enum
from app.models.reports import Action, LabelledEnum, Report

LEADER_ROLES = (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class Prompt:
    key: str
    label: str
    hint: str


class DebriefFormat(LabelledEnum):
    STRUCTURED = "structured", "Structured debrief: what helped, hindered, could change"
    SWARM = "swarm", "SWARM huddle: soon after, on the spot"
    AFTER_ACTION = "after_action", "After Action Review: expected, actual, why, learning"

    @property
    def prompts(self) -> tuple[Prompt, ...]:
        return DEBRIEF_PROMPTS[self]

    @property
    def short_label(self) -> str:
        return self.label.split(":")[0]


DEBRIEF_PROMPTS: dict[DebriefFormat, tuple[Prompt, ...]] = {
    DebriefFormat.STRUCTURED: (
        Prompt("helped", "What helped", "Things that went well or kept people safe."),
        Prompt("hindered", "What got in the way", "Things that made the work harder."),
        Prompt("could_change", "What could change", "Ideas to make it easier next time."),
    ),
    DebriefFormat.SWARM: (
        Prompt("what_happened", "What happened", "The facts, in the order they happened."),
        Prompt("helped", "What helped", "Things that went well or kept people safe."),
        Prompt("hindered", "What got in the way", "Things that made the work harder."),
        Prompt("next_steps", "What we do next", "Steps to agree before we go back to work."),
    ),
    DebriefFormat.AFTER_ACTION: (
        Prompt("expected", "What was expected to happen?", "The plan, or what usually happens."),
        Prompt("actual", "What actually happened?", "The facts, without judging anyone."),
        Prompt("difference", "Why was there a difference?", "What about the system made it so."),
        Prompt("learning", "What can we learn?", "What to keep doing and what to change."),
    ),
}


debrief_report = Table(
    "debrief_report",
    Base.metadata,
    Column("debrief_id", ForeignKey("debrief.id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", ForeignKey("report.id"), primary_key=True, index=True),
)


class Debrief(Base):
    __tablename__ = "debrief"
    __table_args__ = (Index("ix_debrief_service_held", "service_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised on every save; a save from a form opened on an older version is refused
    # (app/concurrency.py), and two saves at once cannot both win (version_id_col).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    format: Mapped[DebriefFormat] = mapped_column(
        _enum(DebriefFormat, "debrief_format"), default=DebriefFormat.STRUCTURED
    )
    held_on: Mapped[date] = mapped_column(Date)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    person_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    family_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    # True when a linked report has moderate or worse harm (or a duty of candour flag).
    needs_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    leader_attended: Mapped[bool] = mapped_column(Boolean, default=False)
    learning_summary: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    facilitator: Mapped[User] = relationship(foreign_keys=[facilitator_id])
    reports: Mapped[list[Report]] = relationship(secondary=debrief_report, order_by="Report.id")
    attendees: Mapped[list[DebriefAttendee]] = relationship(
        back_populates="debrief", cascade="all, delete-orphan", order_by="DebriefAttendee.id"
    )
    contributions: Mapped[list[DebriefContribution]] = relationship(
        back_populates="debrief", cascade="all, delete-orphan", order_by="DebriefContribution.id"
    )
    actions: Mapped[list[Action]] = relationship(
        primaryjoin="Debrief.id == foreign(Action.debrief_id)", order_by="Action.id", viewonly=True
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def contributions_for(self, prompt_key: str) -> list[DebriefContribution]:
        return [c for c in self.contributions if c.prompt == prompt_key]


class DebriefAttendee(Base):
    __tablename__ = "debrief_attendee"
    __table_args__ = (UniqueConstraint("debrief_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(ForeignKey("debrief.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The role at the time: someone promoted later did not attend as a leader.
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)

    debrief: Mapped[Debrief] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()


class DebriefContribution(Base):
    __tablename__ = "debrief_contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(
        ForeignKey("debrief.id", ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(1000))
    unsafe_workaround: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    debrief: Mapped[Debrief] = relationship(back_populates="contributions")


class WorkaroundStatus(LabelledEnum):
    RAISED = "raised", "Raised"
    DISCUSSED = "discussed", "Discussed"
    RESOLVED = "resolved", "Resolved"


class WorkaroundFlag(Base):
    """ "A workaround we use that isn't safe", from a debrief or a reflection.

    A flag from a private reflection carries only the words written for the flag: managers
    never see the reflection, nor who wrote it.
    """

    __tablename__ = "workaround_flag"
    __table_args__ = (Index("ix_workaround_flag_service_status", "service_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    description: Mapped[str] = mapped_column(String(1000))
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("debrief_contribution.id", ondelete="SET NULL"), index=True
    )
    debrief_id: Mapped[int | None] = mapped_column(ForeignKey("debrief.id", ondelete="SET NULL"))
    reflection_id: Mapped[int | None] = mapped_column(
        ForeignKey("reflection.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[WorkaroundStatus] = mapped_column(
        _enum(WorkaroundStatus, "workaround_status"), default=WorkaroundStatus.RAISED
    )
    discussion_note: Mapped[str | None] = mapped_column(Text)
    what_changed: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    discussed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    debrief: Mapped[Debrief | None] = relationship()
