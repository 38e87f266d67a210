"""All models, imported here so Alembic and the app see one complete metadata."""

from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UTCDateTime, utcnow
from app.models.debriefs import (
    Debrief,
    DebriefAttendee,
    DebriefContribution,
    DebriefFormat,
    WorkaroundFlag,
    WorkaroundStatus,
)
from app.models.people import Organisation, Role, Service, ServiceKind, SignInSession, User
from app.models.reflections import Reflection, ReflectionTemplate
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
    "Debrief",
    "DebriefAttendee",
    "DebriefContribution",
    "DebriefFormat",
    "Reflection",
    "ReflectionTemplate",
    "WorkaroundFlag",
    "WorkaroundStatus",
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
