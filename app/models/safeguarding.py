"""Restrictive practice, best-interests decisions, PBS reviews, safeguarding concerns and
positive risk-taking sessions.

Wording and lists follow ../shared/DOMAIN.md. A person supported is referred to only by the
service-issued reference (`person_reference`), never by name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
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


# Mental Health Act 1983 Code of Practice (2015) 26.103-26.165 terms for hospitals: in a care
# home or supported living they are very likely an unlawful deprivation of liberty.
DEPRIVATION_RISK_TYPES = (RestraintType.SECLUSION, RestraintType.SEGREGATION)


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
    # Only asked when the person has capacity for the decision: did they agree to it?
    consented: Mapped[bool | None] = mapped_column(Boolean)
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

    # Each part of the "needs attention" rule is written twice, side by side: in Python for one
    # record (its `flags` in words) and in SQL for a query over many (the log's filter, the
    # overview, the dashboard's unplanned share). See docs/sources.md (restrictive practice).

    @hybrid_property
    def is_unplanned(self) -> bool:
        """Informal restrictions and anything not in the person's plan are unplanned."""
        return self.restraint_type is RestraintType.INFORMAL or not self.in_plan

    @is_unplanned.inplace.expression
    @classmethod
    def _is_unplanned_sql(cls) -> ColumnElement[bool]:
        return or_(cls.restraint_type == RestraintType.INFORMAL, cls.in_plan.is_(False))

    @hybrid_property
    def needs_best_interests(self) -> bool:
        return self.capacity is CapacityFinding.LACKS_CAPACITY

    @needs_best_interests.inplace.expression
    @classmethod
    def _needs_best_interests_sql(cls) -> ColumnElement[bool]:
        return cls.capacity == CapacityFinding.LACKS_CAPACITY

    @hybrid_property
    def missing_best_interests(self) -> bool:
        return self.needs_best_interests and self.best_interests_id is None

    @missing_best_interests.inplace.expression
    @classmethod
    def _missing_best_interests_sql(cls) -> ColumnElement[bool]:
        return and_(cls.needs_best_interests, cls.best_interests_id.is_(None))

    @hybrid_property
    def is_prone(self) -> bool:
        return self.position is RestraintPosition.PRONE

    @is_prone.inplace.expression
    @classmethod
    def _is_prone_sql(cls) -> ColumnElement[bool]:
        return cls.position == RestraintPosition.PRONE

    @hybrid_property
    def is_seclusion_or_segregation(self) -> bool:
        return self.restraint_type in DEPRIVATION_RISK_TYPES

    @is_seclusion_or_segregation.inplace.expression
    @classmethod
    def _is_seclusion_or_segregation_sql(cls) -> ColumnElement[bool]:
        return cls.restraint_type.in_(DEPRIVATION_RISK_TYPES)

    @hybrid_property
    def outside_mca_protection(self) -> bool:
        """MCA 2005 s.5-6 protect restraint only where the person is reasonably believed to
        lack capacity (and it is necessary and proportionate). Capacity not considered, or a
        person with capacity who did not agree, leaves the act unprotected."""
        if self.capacity is CapacityFinding.NOT_CONSIDERED:
            return True
        return self.capacity is CapacityFinding.HAS_CAPACITY and not self.consented

    @outside_mca_protection.inplace.expression
    @classmethod
    def _outside_mca_protection_sql(cls) -> ColumnElement[bool]:
        return or_(
            cls.capacity == CapacityFinding.NOT_CONSIDERED,
            and_(
                cls.capacity == CapacityFinding.HAS_CAPACITY,
                or_(cls.consented.is_(None), cls.consented.is_(False)),
            ),
        )

    @property
    def flags(self) -> list[str]:
        """What the manager must look at, in words (never colour alone). See docs/sources.md."""
        found = []
        if self.restraint_type is RestraintType.INFORMAL:
            found.append("Informal restriction: not in any plan")
        elif not self.in_plan:
            found.append("Unplanned: not in the person's support or PBS plan")
        if self.is_seclusion_or_segregation:
            found.append(
                f"{self.restraint_type.short_label} outside a hospital: very likely an unlawful "
                "deprivation of liberty, even when it is in the plan. Stop it and get advice "
                "(DoLS or Court of Protection) now"
            )
        if self.is_prone:
            found.append("Prone (face-down) restraint: never restrain anyone face down")
        if self.capacity is CapacityFinding.NOT_CONSIDERED:
            found.append(
                "Capacity not considered: restraint is only lawful under the Mental Capacity "
                "Act when the person is reasonably believed to lack capacity"
            )
        elif self.capacity is CapacityFinding.HAS_CAPACITY and not self.consented:
            found.append(
                "The person has capacity for this decision and did not consent: the Mental "
                "Capacity Act gives no protection"
            )
        if self.missing_best_interests:
            found.append("Capacity lacking and no best-interests decision recorded")
        return found

    @hybrid_property
    def needs_attention(self) -> bool:
        """A record with any flag: what the manager must look at."""
        return bool(self.flags)

    @needs_attention.inplace.expression
    @classmethod
    def _needs_attention_sql(cls) -> ColumnElement[bool]:
        """The same rule as `flags`, part by part, for queries."""
        return or_(
            cls.is_unplanned,
            cls.is_seclusion_or_segregation,
            cls.is_prone,
            cls.outside_mca_protection,
            cls.missing_best_interests,
        )

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


class LibertyRoute(LabelledEnum):
    """How a deprivation of liberty is authorised (Mental Capacity Act 2005, Schedule A1 for
    DoLS; s.16(2)(a) and s.4A(3) for a Court of Protection order). Liberty Protection
    Safeguards are not in force."""

    DOLS_URGENT = "dols_urgent", "DoLS urgent authorisation (care home, up to 7 days)"
    DOLS_STANDARD = "dols_standard", "DoLS standard authorisation (care home, up to 1 year)"
    COURT_OF_PROTECTION = (
        "court_of_protection",
        ("Court of Protection order (supported living, at home, or aged 16 or 17)"),
    )

    @property
    def is_dols(self) -> bool:
        return self is not LibertyRoute.COURT_OF_PROTECTION


class LibertyStatus(LabelledEnum):
    APPLIED = "applied", "Applied for: waiting for the outcome"
    AUTHORISED = "authorised", "Authorised"
    REFUSED = "refused", "Not authorised"
    ENDED = "ended", "Withdrawn, or no longer needed"


# Schedule A1 paras 78 and 84-85 (urgent: 7 days, extendable once by 7); para 42 (standard:
# at most one year). A Court of Protection order runs for as long as the court says.
LIBERTY_LONGEST = {
    LibertyRoute.DOLS_URGENT: timedelta(days=14),
    LibertyRoute.DOLS_STANDARD: timedelta(days=366),
}
EXPIRY_WARNING = timedelta(days=28)


class LibertyAuthorisation(Base):
    """One DoLS or Court of Protection application for one person: the register entry that
    holds its outcome, expiry, conditions and the CQC notification of the outcome."""

    __tablename__ = "liberty_authorisation"
    __table_args__ = (Index("ix_liberty_service_person", "service_id", "person_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    person_reference: Mapped[str] = mapped_column(String(40))
    route: Mapped[LibertyRoute] = mapped_column(_enum(LibertyRoute, "liberty_route"))
    aged_18_or_over: Mapped[bool] = mapped_column(Boolean)
    applied_on: Mapped[date] = mapped_column(Date)
    applied_to: Mapped[str] = mapped_column(String(200))  # the council, or who went to court
    status: Mapped[LibertyStatus] = mapped_column(
        _enum(LibertyStatus, "liberty_status"), default=LibertyStatus.APPLIED
    )
    outcome_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, default="")
    cqc_notified_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def cqc_regulation(self) -> str:
        return "18(2)(c)" if self.route.is_dols else "18(2)(d)"

    def flags(self, today: date) -> list[str]:
        """What the manager must act on, in words."""
        found = []
        if self.status is not LibertyStatus.APPLIED and self.cqc_notified_on is None:
            found.append(f"Tell CQC the outcome without delay (Regulation {self.cqc_regulation})")
        if self.status is LibertyStatus.AUTHORISED and self.expires_on:
            if self.expires_on < today:
                found.append(
                    "Expired: any deprivation of liberty now has no authorisation. "
                    "Apply again or end the restrictions"
                )
            elif self.expires_on - today <= EXPIRY_WARNING:
                found.append("Expires within 28 days: apply for renewal now")
        if self.status is LibertyStatus.REFUSED:
            found.append(
                "Not authorised: the restrictions must change so the person is not deprived "
                "of their liberty, or seek advice"
            )
        return found
