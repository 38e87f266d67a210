"""Restrictive practice, best-interests decisions, PBS reviews, safeguarding concerns and
positive risk-taking sessions.

Wording and lists follow ../shared/DOMAIN.md. A person supported is referred to only by the
service-issued reference (`person_reference`), never by name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.debriefs import Debrief
from app.models.people import Service, User, _enum
from app.models.reports import LabelledEnum, Report


class RestraintType(LabelledEnum):
    PHYSICAL = "physical", "Physical restraint"
    CHEMICAL = "chemical", "Chemical restraint (PRN or rapid tranquillisation)"
    MECHANICAL = "mechanical", "Mechanical restraint"
    ENVIRONMENTAL = "environmental", "Environmental restriction (locked doors, removed items)"
    SECLUSION = "seclusion", "Seclusion"
    SEGREGATION = "long_term_segregation", "Long-term segregation"
    INFORMAL = "informal", "Informal or unplanned restriction (not in any plan)"

    @property
    def short_label(self) -> str:
        return self.label.split(" (")[0]


class RestraintPosition(LabelledEnum):
    STANDING = "standing", "Standing"
    SEATED = "seated", "Seated"
    KNEELING = "kneeling", "Kneeling"
    SUPINE = "supine", "Supine (face up)"
    PRONE = "prone", "Prone (face down)"
    SIDE = "side", "On their side"
    ESCORT = "restrictive_escort", "Restrictive escort"


class CapacityFinding(LabelledEnum):
    NOT_CONSIDERED = "not_considered", "Not considered"
    HAS_CAPACITY = "has_capacity", "Has capacity for this decision"
    LACKS_CAPACITY = "lacks_capacity", "Lacks capacity for this decision"


class ConcernType(LabelledEnum):
    """Care Act 2014 statutory guidance categories of abuse and neglect."""

    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    PSYCHOLOGICAL = "psychological", "Psychological or emotional abuse"
    FINANCIAL = "financial", "Financial or material abuse"
    NEGLECT = "neglect", "Neglect and acts of omission"
    SELF_NEGLECT = "self_neglect", "Self-neglect"
    DISCRIMINATORY = "discriminatory", "Discriminatory abuse"
    ORGANISATIONAL = "organisational", "Organisational abuse"
    DOMESTIC = "domestic", "Domestic abuse"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"


class ReviewKind(LabelledEnum):
    PBS_PLAN = "pbs_plan", "Positive behaviour support (PBS) plan"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"


class BestInterestsDecision(Base):
    """A Mental Capacity Act 2005 best-interests decision for one person, with a review date."""

    __tablename__ = "best_interests_decision"
    __table_args__ = (Index("ix_best_interests_service_person", "service_id", "person_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    person_reference: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(Text)
    capacity_assessment: Mapped[str] = mapped_column(Text)
    regain_capacity: Mapped[str] = mapped_column(Text)  # could they regain it; can it wait
    person_involvement: Mapped[str] = mapped_column(Text)
    wishes_and_values: Mapped[str] = mapped_column(Text)  # past and present wishes, beliefs, values
    consulted: Mapped[str] = mapped_column(Text)  # family, LPA, deputy, IMCA
    least_restrictive_option: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    def review_overdue(self, today: date) -> bool:
        return self.review_on < today


class RestrictivePractice(Base):
    """One use of a restrictive practice on one person, from a report or entered directly."""

    __tablename__ = "restrictive_practice"
    __table_args__ = (
        Index("ix_restrictive_practice_service_started", "service_id", "started_at"),
        Index("ix_restrictive_practice_service_person", "service_id", "person_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised on every save; a save from a form opened on an older version is refused
    # (app/concurrency.py), and two saves at once cannot both win (version_id_col).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), unique=True)
    person_reference: Mapped[str] = mapped_column(String(40))
    restraint_type: Mapped[RestraintType] = mapped_column(_enum(RestraintType, "restraint_type"))
    position: Mapped[RestraintPosition | None] = mapped_column(
        _enum(RestraintPosition, "restraint_position")
    )
    what_happened: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    in_plan: Mapped[bool] = mapped_column(Boolean)
    tried_first: Mapped[str] = mapped_column(Text, default="")  # less restrictive options
    capacity: Mapped[CapacityFinding] = mapped_column(_enum(CapacityFinding, "capacity_finding"))
    best_interests_id: Mapped[int | None] = mapped_column(
        ForeignKey("best_interests_decision.id"), index=True
    )
    injury: Mapped[bool] = mapped_column(Boolean, default=False)
    injury_details: Mapped[str] = mapped_column(Text, default="")
    debrief_offered_person: Mapped[bool] = mapped_column(Boolean, default=False)
    debrief_offered_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    review_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship()
    report: Mapped[Report | None] = relationship()
    best_interests: Mapped[BestInterestsDecision | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def is_unplanned(self) -> bool:
        """Informal restrictions and anything not in the person's plan are unplanned."""
        return self.restraint_type is RestraintType.INFORMAL or not self.in_plan

    @property
    def needs_best_interests(self) -> bool:
        return self.capacity is CapacityFinding.LACKS_CAPACITY

    @property
    def missing_best_interests(self) -> bool:
        return self.needs_best_interests and self.best_interests_id is None

    @property
    def flags(self) -> list[str]:
        """What the manager must look at, in words (never colour alone)."""
        found = []
        if self.restraint_type is RestraintType.INFORMAL:
            found.append("Informal restriction: not in any plan")
        elif not self.in_plan:
            found.append("Unplanned: not in the person's support or PBS plan")
        if self.missing_best_interests:
            found.append("Capacity lacking and no best-interests decision recorded")
        return found

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(minutes=self.duration_minutes)


pbs_review_report = Table(
    "pbs_review_report",
    Base.metadata,
    Column("review_id", ForeignKey("pbs_review.id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
)

pbs_review_debrief = Table(
    "pbs_review_debrief",
    Base.metadata,
    Column("review_id", ForeignKey("pbs_review.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "debrief_id", ForeignKey("debrief.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class PbsReview(Base):
    """A review of a person's PBS plan or risk assessment.

    The reports and debriefs it drew on are linked: those links are the evidence that learning
    informed the plan.
    """

    __tablename__ = "pbs_review"
    __table_args__ = (Index("ix_pbs_review_service_person", "service_id", "person_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    person_reference: Mapped[str] = mapped_column(String(40))
    kind: Mapped[ReviewKind] = mapped_column(_enum(ReviewKind, "pbs_review_kind"))
    reviewed_on: Mapped[date] = mapped_column(Date)
    next_review_on: Mapped[date] = mapped_column(Date)
    what_changed: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reports: Mapped[list[Report]] = relationship(
        secondary=pbs_review_report, order_by="Report.occurred_on"
    )
    debriefs: Mapped[list[Debrief]] = relationship(
        secondary=pbs_review_debrief, order_by="Debrief.held_on"
    )
    recorded_by: Mapped[User | None] = relationship()


class SafeguardingConcern(Base):
    """A safeguarding concern and its escalation to the local authority and CQC.

    `raised_at` is when the concern was first reported (the report's time when it came from
    one); the time from then to `escalated_at` is the evidence of prompt escalation.
    """

    __tablename__ = "safeguarding_concern"
    __table_args__ = (
        Index("ix_safeguarding_concern_service_raised", "service_id", "raised_at"),
        Index("ix_safeguarding_concern_service_escalated", "service_id", "escalated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised on every save; a save from a form opened on an older version is refused
    # (app/concurrency.py), and two saves at once cannot both win (version_id_col).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), unique=True)
    person_reference: Mapped[str] = mapped_column(String(40))
    concern_type: Mapped[ConcernType] = mapped_column(_enum(ConcernType, "concern_type"))
    what_happened: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[str] = mapped_column(String(200), default="")
    la_reference: Mapped[str] = mapped_column(String(80), default="")
    cqc_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
    overdue_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    report: Mapped[Report | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def time_to_escalation(self) -> timedelta | None:
        return self.escalated_at - self.raised_at if self.escalated_at else None

    def is_overdue(self, now: datetime, hours: float) -> bool:
        """Not yet escalated, and raised more than `hours` ago."""
        return self.escalated_at is None and now - self.raised_at > timedelta(hours=hours)


class PositiveRiskSession(Base):
    """A group reflective session on positive risk-taking for one person (like a debrief)."""

    __tablename__ = "positive_risk_session"
    __table_args__ = (
        Index("ix_positive_risk_session_service_person", "service_id", "person_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    person_reference: Mapped[str] = mapped_column(String(40))
    restrictive_practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("restrictive_practice.id"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    person_wanted: Mapped[str] = mapped_column(Text)
    risks: Mapped[str] = mapped_column(Text)
    least_restrictive_option: Mapped[str] = mapped_column(Text)
    next_time: Mapped[str] = mapped_column(Text)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[User | None] = relationship()
    restrictive_practice: Mapped[RestrictivePractice | None] = relationship()
