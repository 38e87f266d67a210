"""The declarative base shared by every model, and the column types we reuse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints make Alembic batch migrations on SQLite reliable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


UK = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (all stored times are UTC)."""
    return datetime.now(UTC)


def uk_today() -> date:
    """Today's date on the services' wall clocks, whatever the server's time zone.

    Between midnight and 01:00 in British Summer Time the UTC date is still yesterday's, so a
    debrief "held today" would look like tomorrow to a server on UTC: dates people choose are
    compared with this instead.
    """
    return datetime.now(UK).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it is shorter:
    31 January + 1 month is 28 or 29 February. The first of a month stays the first, which is
    how the dashboard steps through months; a renewal "12 months after" an observation keeps
    its day."""
    return day + relativedelta(months=months)


class UTCDateTime(TypeDecorator):
    """A datetime stored as UTC and always read back timezone-aware.

    SQLite drops the offset, so we normalise on the way in and re-attach UTC on the way out;
    PostgreSQL gets a `timestamp with time zone`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Store timezone-aware datetimes only.")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def render_migration_item(type_: str, obj, autogen_context):
    """Write our column types into migrations as plain SQLAlchemy types.

    Migrations then never import app code, so renaming a class cannot break old migrations.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Database objects that no model describes (full-text search indexes made by migrations), which
# autogenerate and the migration test must leave alone.
UNMODELLED_PREFIXES = ("article_search", "ix_article_fulltext")


def include_name(name: str | None, type_: str, _parent_names) -> bool:
    """Alembic `include_name` hook: skip the objects listed in UNMODELLED_PREFIXES."""
    return not (name and type_ in {"table", "index"} and name.startswith(UNMODELLED_PREFIXES))


class ClientIdMixin:
    """A record a device may send more than once: the draft's own id (made on the device, kept
    unique) and a hash of its body, so `app.sync.save_once` tells a retry from a different
    draft. Reports, held anonymous reports, reflections and observations have it."""

    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str | None] = mapped_column(String(64))


class SyncedDraftMixin(ClientIdMixin):
    """A synced draft that also keeps the device's clock when it was made, beside the server's
    own time (a held anonymous report keeps no device time: it could point to its sender)."""

    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
