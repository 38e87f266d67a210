"""All models, imported here so Alembic and the app see one complete metadata."""

from app.models.base import Base, UTCDateTime, utcnow
from app.models.people import Organisation, Role, Service, ServiceKind, SignInSession, User

__all__ = [
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
