"""Organisations, the services they run, the people who use LearnLoop, and their sign-ins."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.models.base import Base, UTCDateTime, utcnow

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class Role(enum.StrEnum):
    """What a person does in LearnLoop; each role can do everything the one before it can."""

    STAFF = "staff"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANKS[self]  # a dict: templates ask this dozens of times a page

    @property
    def label(self) -> str:
        return {
            Role.STAFF: "Care worker",
            Role.SUPERVISOR: "Supervisor or senior carer",
            Role.MANAGER: "Registered manager",
            Role.ADMIN: "Provider admin",
        }[self]


_ROLE_RANKS = {role: rank for rank, role in enumerate(Role)}


class ServiceKind(enum.StrEnum):
    CARE_HOME = "care_home"
    SUPPORTED_LIVING = "supported_living"
    HOME_CARE = "home_care"

    @property
    def label(self) -> str:
        return {
            ServiceKind.CARE_HOME: "Care home",
            ServiceKind.SUPPORTED_LIVING: "Supported living",
            ServiceKind.HOME_CARE: "Home care branch",
        }[self]


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value, as a portable string with a CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", order_by="Service.name"
    )


class Service(Base):
    """A care home, supported-living scheme or home-care branch: the unit records belong to."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ServiceKind] = mapped_column(_enum(ServiceKind, "service_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="services")


class User(Base):
    """A member of staff. Passwords are argon2id hashes; emails are stored lower-case."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.STAFF)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-step sign-in (managers and admins may turn it on): the TOTP secret, sealed with
    # TOTP_ENCRYPTION_KEY so that a copy of the database alone cannot make codes (open it only
    # with twofactor.open_secret), and the last 30-second step used, so a code cannot be
    # replayed. See app/auth/twofactor.py.
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    service: Mapped[Service] = relationship()

    # Set when loaded through a sign-in session, so Flask-Login's get_id() returns that
    # session's token instead of the user id: ending the session ends the login.
    sign_in_token = None

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def organisation_id(self) -> int:
        return self.service.organisation_id

    @property
    def two_step_on(self) -> bool:
        """Whether sign-in asks for a second step (answerable without opening the secret)."""
        return self.totp_secret_sealed is not None

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def has_role(self, role: Role) -> bool:
        """True when this person's role is `role` or above it."""
        return self.role.rank >= role.rank

    # Flask-Login's user protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.sign_in_token


def hash_token(token: str) -> str:
    """Tokens are stored only as SHA-256 hashes, so a database leak cannot replay them."""
    return hashlib.sha256(token.encode()).hexdigest()


class SignInSession(Base):
    """One signed-in browser. Ending it (logout, deactivation, an admin) ends that login at once."""

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
