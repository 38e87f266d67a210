"""All models, imported here so Alembic and the app see one complete metadata."""

from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UTCDateTime, utcnow
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
from app.models.safeguarding import (
    BestInterestsDecision,
    CapacityFinding,
    ConcernType,
    PbsReview,
    PositiveRiskSession,
    RestraintPosition,
    RestraintType,
    RestrictivePractice,
    ReviewKind,
    SafeguardingConcern,
)

__all__ = [
    "Action",
    "Category",
    "PhysicalHarm",
    "PsychologicalHarm",
    "Report",
    "ReportKind",
    "ReportStatus",
    "TimeBracket",
    "BestInterestsDecision",
    "CapacityFinding",
    "ConcernType",
    "PbsReview",
    "PositiveRiskSession",
    "RestraintPosition",
    "RestraintType",
    "RestrictivePractice",
    "ReviewKind",
    "SafeguardingConcern",
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
