"""Safety reports (near misses and incidents) and the actions agreed from learning.

Wording and lists follow ../shared/DOMAIN.md. An anonymous report stores no reporter, no
address, no device and no session detail: only a hash of the receipt code its reporter keeps.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import Service, User, _enum


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry the plain-English label staff see."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class ReportKind(LabelledEnum):
    NEAR_MISS = "near_miss", "Near miss – caught in time"
    INCIDENT = "incident", "It reached someone"
    GOOD_CARE = "good_care", "Something that went well"
    UNSAFE_CONDITION = "unsafe_condition", "An unsafe condition or risk"


class Category(LabelledEnum):
    """Adult social care categories, commonest first (the order the form shows)."""

    FALLS = "falls", "Falls"
    MEDICATION = "medication", "Medication"
    BEHAVIOUR = "behaviour", "Behaviour or distress"
    PRESSURE_CARE = "pressure_care", "Pressure care or skin"
    MISSED_VISIT = "missed_visit", "Missed or late care visit"
    COMMUNICATION = "communication", "Communication or handover"
    MOVING_HANDLING = "moving_handling", "Moving and handling"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    RESTRICTIVE_PRACTICE = "restrictive_practice", "Restrictive practice"
    INFECTION = "infection", "Infection prevention"
    NUTRITION = "nutrition", "Nutrition and hydration"
    EQUIPMENT = "equipment", "Equipment or environment"
    STAFFING = "staffing", "Staffing"
    OTHER = "other", "Other"


class PhysicalHarm(LabelledEnum):
    NONE = "none", "None – no harm"
    LOW = "low", "Low – minor, short-term harm"
    MODERATE = "moderate", "Moderate – needed extra treatment or care"
    SEVERE = "severe", "Severe – permanent or long-term harm"
    FATAL = "fatal", "Fatal – the person died"


class PsychologicalHarm(LabelledEnum):
    NONE = "none", "None"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class TimeBracket(LabelledEnum):
    EXACT = "exact", "At a time I know"
    DAY_SHIFT = "day_shift", "Day shift"
    NIGHT_SHIFT = "night_shift", "Night shift"
    MORNING_HANDOVER = "morning_handover", "Morning handover"
    EVENING_HANDOVER = "evening_handover", "Evening handover"
    UNKNOWN = "unknown", "I don't know"


class ReportStatus(LabelledEnum):
    NEW = "new", "New"
    UNDER_REVIEW = "under_review", "Under review"
    LEARNING_SHARED = "learning_shared", "Learning shared"
    CLOSED = "closed", "Closed"


SERIOUS_HARM = (PhysicalHarm.MODERATE, PhysicalHarm.SEVERE, PhysicalHarm.FATAL)


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_service_created", "service_id", "created_at"),
        Index("ix_report_service_status", "service_id", "status"),
        Index("ix_report_person_category", "service_id", "person_reference", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    # None for anonymous reports, always: nothing else identifies the reporter either.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind, "report_kind"))
    category: Mapped[Category] = mapped_column(_enum(Category, "report_category"))
    description: Mapped[str] = mapped_column(Text)
    time_bracket: Mapped[TimeBracket] = mapped_column(
        _enum(TimeBracket, "time_bracket"), default=TimeBracket.EXACT
    )
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurred_on: Mapped[date] = mapped_column(Date)
    physical_harm: Mapped[PhysicalHarm | None] = mapped_column(_enum(PhysicalHarm, "physical_harm"))
    psychological_harm: Mapped[PsychologicalHarm | None] = mapped_column(
        _enum(PsychologicalHarm, "psychological_harm")
    )
    location: Mapped[str | None] = mapped_column(String(200))
    person_reference: Mapped[str | None] = mapped_column(String(40))
    immediate_action: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[dict] = mapped_column(JSON, default=dict)  # answers for the category

    status: Mapped[ReportStatus] = mapped_column(
        _enum(ReportStatus, "report_status"), default=ReportStatus.NEW
    )
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Offline sync: the device's clock when the draft was made, and the draft's own id.
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str | None] = mapped_column(String(64))

    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship()
    reporter: Mapped[User | None] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="report", order_by="Action.id", cascade="all, delete-orphan"
    )

    @property
    def is_serious(self) -> bool:
        return self.physical_harm in SERIOUS_HARM


class Action(Base):
    """Something agreed to change: what, who, by when, and whether it is done.

    Shared by report reviews, debriefs, meetings and supervision, so "open and overdue
    actions" is one query wherever the action came from.
    """

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    # A development action from a competency observation (supervision branch).
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(120))  # when not a LearnLoop user
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report | None] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < today
