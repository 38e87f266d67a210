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
from app.models.supervision import (
    ChecklistItem,
    ChecklistTemplate,
    Confidence,
    EscalationAnswer,
    EscalationQuestion,
    ItemResult,
    Observation,
    ObservationAnswer,
    ObservationStatus,
    Outcome,
    Supervision,
    SupervisionPolicy,
)

__all__ = [
    "ChecklistItem",
    "ChecklistTemplate",
    "Confidence",
    "EscalationAnswer",
    "EscalationQuestion",
    "ItemResult",
    "Observation",
    "ObservationAnswer",
    "ObservationStatus",
    "Outcome",
    "Supervision",
    "SupervisionPolicy",
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
