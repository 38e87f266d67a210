"""Competency observation checklists, observations and supervision records.

A checklist template is versioned: editing one saves a new version (same `lineage_id`, a higher
`version`) and marks the old one not current, so an observation always keeps the items it used.
Development actions from an observation are `Action` rows with `observation_id` set; agreed
actions from a supervision are linked through `supervision_action`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
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

from app.models.base import Base, SyncedDraftMixin, UTCDateTime, utcnow
from app.models.people import Service, User, _enum
from app.models.reports import Action, LabelledEnum


class ItemResult(LabelledEnum):
    MET = "met", "Met"
    NOT_YET = "not_yet", "Not yet"
    NOT_APPLICABLE = "na", "N/A"


class Outcome(LabelledEnum):
    COMPETENT = "competent", "Competent"
    NOT_YET_COMPETENT = "not_yet_competent", "Not yet competent"


class ObservationStatus(LabelledEnum):
    DRAFT = "draft", "In progress"
    COMPLETED = "completed", "Completed"


class Confidence(LabelledEnum):
    CONFIDENT = "confident", "Confident"
    NEEDS_SUPPORT = "needs_support", "Needs support"


class ChecklistTemplate(Base):
    """One version of a checklist. `lineage_id` is the id of the first version."""

    __tablename__ = "checklist_template"
    __table_args__ = (
        UniqueConstraint("lineage_id", "version", name="uq_checklist_template_lineage_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    lineage_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    renewal_months: Mapped[int] = mapped_column(Integer, default=12)
    # NICE SC1: a medicines incident should bring the next observation forward.
    recheck_after_medication_report: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )

    @property
    def add_on_modules(self) -> list[str]:
        seen: list[str] = []
        for item in self.items:
            if item.module and item.module not in seen:
                seen.append(item.module)
        return seen

    def items_for(self, modules: list[str] | tuple[str, ...]) -> list[ChecklistItem]:
        """The core items plus those of the chosen add-on modules."""
        return [i for i in self.items if not i.module or i.module in modules]


class ChecklistItem(Base):
    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    guidance: Mapped[str | None] = mapped_column(Text)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    module: Mapped[str | None] = mapped_column(String(80))  # None: a core item

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")


class Observation(SyncedDraftMixin, Base):
    """A supervisor watching a staff member's practice against one template version."""

    __tablename__ = "observation"
    __table_args__ = (Index("ix_observation_staff_template", "staff_id", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    observer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    modules: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[ObservationStatus] = mapped_column(
        _enum(ObservationStatus, "observation_status"), default=ObservationStatus.DRAFT
    )
    observed_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "observation_outcome"))
    summary: Mapped[str | None] = mapped_column(Text)
    reobserve_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    template: Mapped[ChecklistTemplate] = relationship()
    staff: Mapped[User] = relationship(foreign_keys=[staff_id])
    observer: Mapped[User] = relationship(foreign_keys=[observer_id])
    answers: Mapped[list[ObservationAnswer]] = relationship(
        back_populates="observation", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        primaryjoin="Observation.id == foreign(Action.observation_id)",
        order_by="Action.id",
        viewonly=True,
    )

    @property
    def items(self) -> list[ChecklistItem]:
        return self.template.items_for(self.modules or [])

    def answer_for(self, item_id: int) -> ObservationAnswer | None:
        return next((a for a in self.answers if a.item_id == item_id), None)


class ObservationAnswer(Base):
    __tablename__ = "observation_answer"
    __table_args__ = (
        UniqueConstraint("observation_id", "item_id", name="uq_observation_answer_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    result: Mapped[ItemResult | None] = mapped_column(_enum(ItemResult, "item_result"))
    note: Mapped[str | None] = mapped_column(Text)

    observation: Mapped[Observation] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship()


class SupervisionPolicy(Base):
    """How often each person in a service should have supervision."""

    __tablename__ = "supervision_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), unique=True)
    every_weeks: Mapped[int] = mapped_column(Integer, default=8)


class EscalationQuestion(Base):
    """A question in a service's escalation-procedure bank, e.g. "Who do you call at night?"."""

    __tablename__ = "escalation_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    good_answer: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


supervision_action = Table(
    "supervision_action",
    Base.metadata,
    Column("supervision_id", ForeignKey("supervision.id"), primary_key=True),
    Column("action_id", ForeignKey("action.id"), primary_key=True),
)


class Supervision(Base):
    __tablename__ = "supervision"
    __table_args__ = (Index("ix_supervision_supervisee_held", "supervisee_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised on every save; a save from a form opened on an older version is refused
    # (app/concurrency.py), and two saves at once cannot both win (version_id_col).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    supervisee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    held_on: Mapped[date] = mapped_column(Date)
    discussion: Mapped[dict] = mapped_column(JSON, default=dict)  # prompt key -> notes
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervisee_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    supervisee: Mapped[User] = relationship(foreign_keys=[supervisee_id])
    escalation_answers: Mapped[list[EscalationAnswer]] = relationship(
        back_populates="supervision", order_by="EscalationAnswer.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(secondary=supervision_action, order_by=Action.id)


class EscalationAnswer(Base):
    """One escalation question asked in a supervision. The question's words are kept, so
    editing the bank never changes a past record."""

    __tablename__ = "escalation_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervision.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("escalation_question.id"))
    question_text: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[Confidence] = mapped_column(_enum(Confidence, "escalation_confidence"))

    supervision: Mapped[Supervision] = relationship(back_populates="escalation_answers")
