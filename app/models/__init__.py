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
from app.models.governance import (
    Meeting,
    MeetingKind,
    MeetingLearningItem,
    PulseParticipation,
    PulseResponse,
    YouSaidWeDid,
)
from app.models.notifications import (
    AccountLink,
    EmailPreference,
    EmailTopic,
    LinkPurpose,
    MailStatus,
    Notification,
    OutboundEmail,
)
from app.models.people import Organisation, Role, Service, ServiceKind, SignInSession, User
from app.models.reflections import Reflection, ReflectionTemplate
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
from app.models.security import RecoveryCode

__all__ = [
    "Meeting",
    "MeetingKind",
    "MeetingLearningItem",
    "PulseParticipation",
    "PulseResponse",
    "YouSaidWeDid",
    "AccountLink",
    "EmailPreference",
    "EmailTopic",
    "LinkPurpose",
    "MailStatus",
    "Notification",
    "OutboundEmail",
    "Debrief",
    "DebriefAttendee",
    "DebriefContribution",
    "DebriefFormat",
    "Reflection",
    "ReflectionTemplate",
    "WorkaroundFlag",
    "WorkaroundStatus",
    "Action",
    "CandourStep",
    "Category",
    "CqcNotification",
    "Factor",
    "PhysicalHarm",
    "PsychologicalHarm",
    "RecoveryCode",
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
