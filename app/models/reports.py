"""Safety reports (near misses and incidents) and the actions agreed from learning.

Wording and lists follow ../shared/DOMAIN.md. An anonymous report stores no reporter, no
address, no device and no session detail: only a hash of the receipt code its reporter keeps.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, ClientIdMixin, SyncedDraftMixin, UTCDateTime, utcnow
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
    """LFPSE physical harm levels (NHS England, Learn from patient safety events)."""

    NONE = "none", "None – no harm"
    LOW = "low", "Low – minimal harm: extra observation or minor treatment"
    MODERATE = (
        "moderate",
        ("Moderate – significant but not permanent harm, or a moderate increase in treatment"),
    )
    SEVERE = "severe", "Severe – permanent or long-term harm"
    FATAL = "fatal", "Fatal – the incident caused the death, or more likely than not contributed"


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


class Factor(LabelledEnum):
    """Contributory factors: the SEIPS work system (systems, not blame)."""

    PERSON = "person", "Person – the people involved, their health, skills and wellbeing"
    TASKS = "tasks", "Tasks – how the work is designed, its demands and interruptions"
    TOOLS = "tools", "Tools and technology – equipment, records, medicines systems"
    ORGANISATION = "organisation", "Organisation – staffing, rotas, training, culture"
    INTERNAL_ENVIRONMENT = "internal_environment", "Internal environment – layout, light, noise"
    EXTERNAL_ENVIRONMENT = "external_environment", "External environment – pharmacy, GP, weather"


class CandourStep(LabelledEnum):
    """Duty of candour (Regulation 20 of the 2014 Regulations): the steps, each recorded with
    its date, as soon as reasonably practicable after the incident is known about."""

    TOLD = "told", "Told the person (or whoever acts for them) in person"
    APOLOGISED = "apologised", "Apologised"
    ACCOUNT = "account", "Gave a true account of what happened"
    ENQUIRIES = "enquiries", "Explained what further enquiries we will make"
    SUPPORT = "support", "Offered reasonable support"
    WRITTEN = "written", "Followed up in writing"
    RECORD = "record", "Kept a record"
    NOT_REACHED = (
        "not_reached",
        ("Could not contact them, or they declined to speak: attempts or refusal recorded"),
    )


class CqcNotification(LabelledEnum):
    """CQC notifications: Care Quality Commission (Registration) Regulations 2009,
    regulation 18 ("without delay") and regulation 16 (deaths). One event can need several."""

    SERIOUS_INJURY = (
        "serious_injury",
        "Serious injury, such as a fracture (Regulation 18(2)(a)-(b))",
    )
    ABUSE = "abuse", "Abuse or an allegation of abuse (Regulation 18(2)(e))"
    POLICE = "police", "Reported to or investigated by the police (Regulation 18(2)(f))"
    DOLS = "dols", "A DoLS application and its outcome (Regulation 18(2)(c))"
    COURT_OF_PROTECTION = (
        "court_of_protection",
        ("A Court of Protection application about liberty and its outcome (Regulation 18(2)(d))"),
    )
    SERVICE_SAFETY = (
        "service_safety",
        ("An event that stops the service running safely (Regulation 18(2)(g))"),
    )
    DEATH = "death", "A death (Regulation 16)"
    LEDER = "leder", "LeDeR: the death of a person with a learning disability or autistic person"


class JustCultureOutcome(LabelledEnum):
    """Where the NHS England just culture guide (2018) points. Never preselected."""

    SYSTEM = "system", "The system: change the work and support the team"
    SUPPORT = (
        "support",
        (
            "Individual support: occupational health (including for substance misuse), "
            "training or supervision, with any mitigating circumstances taken into account"
        ),
    )
    DELIBERATE_HARM = (
        "deliberate_harm",
        ("Deliberate harm or a suspected crime: follow the route below, not a learning review"),
    )


SERIOUS_HARM = (PhysicalHarm.MODERATE, PhysicalHarm.SEVERE, PhysicalHarm.FATAL)

# Report numbers are drawn at random, not counted up, so a number never tells which report
# came before another (an anonymous report released next to a named one gives nothing away).
# Above a million, so they never meet the numbers counted up before this rule.
REPORT_ID_FLOOR = 1_000_000
REPORT_ID_CEILING = 2**31 - 1  # fits an INTEGER column on PostgreSQL and SQLite


def random_report_id() -> int:
    return REPORT_ID_FLOOR + secrets.randbelow(REPORT_ID_CEILING - REPORT_ID_FLOOR)


def _unused_report_id(context) -> int:
    """The column default: a random number, drawn again while it is already stored (at a
    million reports one draw in two thousand would otherwise meet a stored one). Rows inserted
    many at once in one statement, as tests and the bench's bulk data do, bring their own."""
    while True:
        candidate = random_report_id()
        if not context.connection.execute(select(Report.id).where(Report.id == candidate)).first():
            return candidate


class Report(SyncedDraftMixin, Base):
    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_service_created", "service_id", "created_at"),
        Index("ix_report_service_status", "service_id", "status"),
        Index("ix_report_person_category", "service_id", "person_reference", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=_unused_report_id)
    # Raised on every save; a save from a form opened on an older version is refused
    # (app/concurrency.py), and two saves at once cannot both win (version_id_col).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
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

    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Feedback that reaches the reporter (in "My reports", or on the receipt page).
    thanks_message: Mapped[str | None] = mapped_column(Text)
    thanked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    learning_message: Mapped[str | None] = mapped_column(Text)
    learning_shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The manager's review (systems, not blame).
    contributory_factors: Mapped[list] = mapped_column(JSON, default=list)  # Factor values
    learning_outcome: Mapped[str | None] = mapped_column(Text)  # "What we learned"
    debrief_needed: Mapped[bool | None] = mapped_column(Boolean)
    candour_applies: Mapped[str | None] = mapped_column(String(16))  # yes / no / unsure
    candour_steps: Mapped[dict] = mapped_column(JSON, default=dict)  # step value -> ISO date
    # Every CQC notification the event needs: CqcNotification value -> ISO date sent, or
    # None while it is still to send. One event can need several.
    cqc_notifications: Mapped[dict] = mapped_column(JSON, default=dict)
    # For a death: LeDeR is notified too for a person with a learning disability or autism.
    learning_disability_or_autism: Mapped[bool | None] = mapped_column(Boolean)
    safeguarding_referred_on: Mapped[date | None] = mapped_column(Date)
    just_culture_outcome: Mapped[str | None] = mapped_column(String(32))  # JustCultureOutcome
    just_culture_answers: Mapped[dict] = mapped_column(JSON, default=dict)  # test -> yes/no
    just_culture_route: Mapped[dict] = mapped_column(JSON, default=dict)  # route step -> ISO date
    just_culture_note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship()
    reporter: Mapped[User | None] = relationship()
    repeat_of: Mapped[Report | None] = relationship(remote_side="Report.id")
    actions: Mapped[list[Action]] = relationship(
        back_populates="report", order_by="Action.id", cascade="all, delete-orphan"
    )

    @property
    def is_serious(self) -> bool:
        return self.physical_harm in SERIOUS_HARM

    @property
    def police_involved(self) -> bool:
        return (self.follow_up or {}).get("police_involved") in ("yes", True)

    def notifications_due(self) -> dict[CqcNotification, bool]:
        """The CQC notifications this event points to, each with True when the regulations
        leave no choice (abuse, police, a death, a severe injury) and False when the manager
        must check (moderate harm may be a serious injury, such as a fracture). See
        docs/sources.md: Registration Regulations 2009, regulations 16 and 18."""
        due: dict[CqcNotification, bool] = {}
        if self.physical_harm is PhysicalHarm.SEVERE:
            due[CqcNotification.SERIOUS_INJURY] = True
        elif self.physical_harm is PhysicalHarm.MODERATE:
            due[CqcNotification.SERIOUS_INJURY] = False
        if self.category is Category.SAFEGUARDING:
            due[CqcNotification.ABUSE] = True
        if self.police_involved:
            due[CqcNotification.POLICE] = True
        if self.physical_harm is PhysicalHarm.FATAL or CqcNotification.DEATH in (
            self.cqc_notifications or {}
        ):
            due[CqcNotification.DEATH] = True
            if self.learning_disability_or_autism:
                due[CqcNotification.LEDER] = True
        return due

    def notifications_missing(self) -> list[CqcNotification]:
        """Required notifications with no date sent yet."""
        sent = self.cqc_notifications or {}
        return [
            kind
            for kind, required in self.notifications_due().items()
            if required and not sent.get(kind.value)
        ]

    @property
    def has_new_feedback(self) -> bool:
        """Thanks or learning the reporter has not opened yet."""
        return self.feedback_updated_at is not None and (
            self.feedback_read_at is None or self.feedback_read_at < self.feedback_updated_at
        )

    @property
    def reporter_label(self) -> str:
        """What managers see: never a name for an anonymous report."""
        if self.anonymous or self.reporter is None:
            return "Anonymous"
        return self.reporter.name

    def audit_summary(self) -> dict:
        """What the audit trail says of a report as it reaches managers: no words, no person."""
        return {
            "kind": self.kind.value,
            "category": self.category.value,
            "repeat": self.is_repeat,
        }


class HeldReport(ClientIdMixin, Base):
    """An anonymous report waiting for its release to managers (app/reports/anonymity.py).

    Held apart from `report` so that nothing a manager or admin can see (the list, the
    dashboard, the audit trail, a report number) moves at the moment it is sent. It keeps the
    answers, the coarse time it will show as sent (`sent_window`) and when it may be released:
    no exact time of sending, no reporter, no request detail. Released rows are deleted.
    """

    __tablename__ = "held_report"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, orders nothing
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    values: Mapped[dict] = mapped_column(JSON)  # the validated answers, as JSON
    sent_window: Mapped[datetime] = mapped_column(UTCDateTime)
    release_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Action(Base):
    """Something agreed to change: what, who, by when, and whether it is done.

    Shared by report reviews, debriefs, meetings and supervision, so "open and overdue
    actions" is one query wherever the action came from.
    """

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    debrief_id: Mapped[int | None] = mapped_column(ForeignKey("debrief.id"), index=True)
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
