"""All models, imported here so Alembic and the app see one complete metadata."""

from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UTCDateTime, utcnow
from app.models.library import (
    CARE_CERTIFICATE_STANDARDS,
    Article,
    ArticleKind,
    ArticleStatus,
    ArticleTopic,
    ArticleVersion,
    InductionStep,
    ReadAcknowledgement,
    Topic,
)
from app.models.people import Organisation, Role, Service, ServiceKind, SignInSession, User
from app.models.reports import (
    Action,
    Category,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportKind,
    ReportStatus,
    TimeBracket,
)

__all__ = [
    "CARE_CERTIFICATE_STANDARDS",
    "Article",
    "ArticleKind",
    "ArticleStatus",
    "ArticleTopic",
    "ArticleVersion",
    "InductionStep",
    "ReadAcknowledgement",
    "Topic",
    "Action",
    "Category",
    "PhysicalHarm",
    "PsychologicalHarm",
    "Report",
    "ReportKind",
    "ReportStatus",
    "TimeBracket",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Organisation",
    "Role",
    "Service",
    "ServiceKind",
    "SignInSession",
    "User",
    "UTCDateTime",
    "utcnow",
]
