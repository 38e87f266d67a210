"""The learning library: articles and learning bulletins, their versions, who has read them,
and each service's induction pathway.

An article belongs to an organisation. With `service_id` empty it is for everyone in the
organisation; with a service it is for that service only. A learning bulletin is an article of
kind BULLETIN that can point back to the report its learning came from.

Search indexes (SQLite FTS5, PostgreSQL full-text) live outside these models; see
migrations/versions/0005_library.py and app/library/search.py.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import Service, User, _enum
from app.models.reports import LabelledEnum, Report

# The Care Certificate standards (from 2025), numbered as Skills for Care numbers them.
CARE_CERTIFICATE_STANDARDS: dict[int, str] = {
    1: "Understand your role",
    2: "Your personal development",
    3: "Duty of care",
    4: "Equality, diversity, inclusion and human rights",
    5: "Work in a person-centred way",
    6: "Communication",
    7: "Privacy and dignity",
    8: "Fluids and nutrition",
    9: "Awareness of mental health and dementia",
    10: "Safeguarding adults",
    11: "Safeguarding children",
    12: "Basic life support",
    13: "Health and safety",
    14: "Handling information",
    15: "Infection prevention and control",
    16: "Awareness of learning disability and autism",
}


class ArticleKind(LabelledEnum):
    GUIDE = "guide", "Guide"
    BULLETIN = "bulletin", "Learning bulletin"


class ArticleStatus(LabelledEnum):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Topic(LabelledEnum):
    """What an article is about; staff filter the library by these."""

    REPORTING = "reporting", "Reporting and near misses"
    LEARNING = "learning", "Learning together"
    MEDICATION = "medication", "Medication"
    ESCALATION = "escalation", "Escalation and emergencies"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    RESTRICTIVE_PRACTICE = "restrictive_practice", "Least restrictive practice and PBS"
    MENTAL_CAPACITY = "mental_capacity", "Mental capacity and consent"
    CANDOUR = "candour", "Openness and duty of candour"
    INFECTION = "infection", "Infection prevention"
    MOVING_HANDLING = "moving_handling", "Moving and handling"
    RECORDS = "records", "Records and information"
    PERSON_CENTRED = "person_centred", "Person-centred care"
    HEALTH = "health", "Health and wellbeing"
    INDUCTION = "induction", "Induction and the Care Certificate"


class Article(Base):
    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("organisation_id", "slug", name="uq_article_organisation_slug"),
        Index("ix_article_org_status_published", "organisation_id", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # None: for every service in the organisation.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    kind: Mapped[ArticleKind] = mapped_column(
        _enum(ArticleKind, "article_kind"), default=ArticleKind.GUIDE
    )
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)  # Markdown, as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised
    reading_minutes: Mapped[int] = mapped_column(Integer, default=1)
    standards: Mapped[list[int]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ArticleStatus] = mapped_column(
        _enum(ArticleStatus, "article_status"), default=ArticleStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # Learning bulletins only: the three parts, and the report the learning came from.
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    what_happened: Mapped[str | None] = mapped_column(Text)
    what_we_learned: Mapped[str | None] = mapped_column(Text)
    what_changes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship()
    author: Mapped[User | None] = relationship()
    report: Mapped[Report | None] = relationship()
    topic_links: Mapped[list[ArticleTopic]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTopic.topic"
    )
    versions: Mapped[list[ArticleVersion]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleVersion.version"
    )

    @property
    def topics(self) -> list[Topic]:
        return [link.topic for link in self.topic_links]

    @property
    def is_published(self) -> bool:
        return self.status is ArticleStatus.PUBLISHED

    @property
    def is_bulletin(self) -> bool:
        return self.kind is ArticleKind.BULLETIN

    @property
    def standard_labels(self) -> list[str]:
        return [f"{n}. {CARE_CERTIFICATE_STANDARDS[n]}" for n in sorted(self.standards or [])]


class ArticleTopic(Base):
    __tablename__ = "article_topic"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[Topic] = mapped_column(_enum(Topic, "article_topic_name"), primary_key=True)


class ArticleVersion(Base):
    """What an article said at each version: what a person acknowledged can always be shown."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_article_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ReadAcknowledgement(Base):
    """ "I have read and understood": one per person, article and version.

    `service_id` is the reader's service, so managers see their own team's reading only.
    """

    __tablename__ = "read_acknowledgement"
    __table_args__ = (
        UniqueConstraint("user_id", "article_id", "version", name="uq_read_acknowledgement"),
        Index("ix_read_acknowledgement_article", "article_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InductionStep(Base):
    """One article in a service's induction pathway, in reading order."""

    __tablename__ = "induction_step"
    __table_args__ = (
        UniqueConstraint("service_id", "article_id", name="uq_induction_step_article"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)

    article: Mapped[Article] = relationship()


class CareCertificateAssessment(Base):
    """One Care Certificate standard assessed for one new starter: the date their knowledge
    was assessed and the date their competence was observed at work, and by whom.

    Reading the induction articles prepares for this; it never completes a standard (Skills
    for Care: assessed knowledge and observed competence, within 12 weeks of starting).
    """

    __tablename__ = "care_certificate_assessment"
    __table_args__ = (
        UniqueConstraint("user_id", "standard", name="uq_care_certificate_assessment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    standard: Mapped[int] = mapped_column(Integer)  # 1-16, CARE_CERTIFICATE_STANDARDS
    knowledge_assessed_on: Mapped[date | None] = mapped_column(Date)
    competence_observed_on: Mapped[date | None] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assessor: Mapped[User | None] = relationship(foreign_keys=[assessor_id])

    @property
    def met(self) -> bool:
        return bool(self.knowledge_assessed_on and self.competence_observed_on)
