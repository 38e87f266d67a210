"""All models, imported here so Alembic and the app see one complete metadata."""

from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import Organisation, Role, Service, ServiceKind, SignInSession, User
from app.models.reports import (
    Action,
    CandourStep,
    Category,
    CqcNotification,
    Factor,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportKind,
    ReportStatus,
    TimeBracket,
)

__all__ = [
    "Action",
    "CandourStep",
    "Category",
    "CqcNotification",
    "Factor",
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
