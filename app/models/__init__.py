"""All models, imported here so Alembic and the app see one complete metadata."""

from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import Organisation, Role, Service, ServiceKind, SignInSession, User

__all__ = [
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
