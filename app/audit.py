"""Write and check the audit trail.

Call `log_event()` in the same transaction as the change it describes, before commit, so the
change and its audit entry are saved together or not at all. Never pass an anonymous
reporter as the actor: pass `anonymous=True` and nothing about them is kept.

Every entry stores: when, who (person and role), the service, the action, the record, a
summary, the request id and the channel. Two kinds of entry keep less:

- `anonymous=True` (something an anonymous reporter did): no person, no role and no request
  id, because proxies log the request id next to the client's address;
- `system=True` (something LearnLoop did by itself, such as releasing held anonymous
  reports): no person, no role, no request id, channel "system", even when it runs inside
  someone else's request.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select, update

from app.extensions import db
from app.models import User
from app.models.audit import AuditEntry, AuditHead
from app.models.base import utcnow

GENESIS = "0" * 64
_UNSET = object()


def request_id() -> str | None:
    """The id of the current request (from the proxy's X-Request-ID, or made here)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")[:64]
        g.request_id = incoming or uuid.uuid4().hex
    return g.request_id


def _entry_hash(entry: AuditEntry) -> str:
    fields = [
        entry.previous_hash,
        entry.created_at.isoformat(),
        entry.actor_id,
        entry.actor_role,
        entry.service_id,
        entry.action,
        entry.record_type,
        entry.record_id,
        entry.summary,
        entry.request_id,
        entry.channel,
    ]
    return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()


def _default_actor() -> User | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def log_event(
    action: str,
    record=None,
    *,
    summary: dict | None = None,
    actor=_UNSET,
    service_id: int | None = None,
    anonymous: bool = False,
    system: bool = False,
    channel: str | None = None,
) -> AuditEntry:
    """Append one entry (flushed, not committed). `action` reads like "report.created"."""
    nobody = anonymous or system
    who = None if nobody else (_default_actor() if actor is _UNSET else actor)
    if system:
        channel = "system"
    if service_id is None and record is not None:
        service_id = getattr(record, "service_id", None)
    previous_hash = _lock_head()
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=who.id if who else None,
        actor_role=who.role.value if who else None,
        service_id=service_id,
        action=action,
        record_type=type(record).__name__ if record is not None else None,
        record_id=getattr(record, "id", None),
        summary=json.dumps(summary or {}, sort_keys=True, default=str),
        request_id=None if nobody else request_id(),
        channel=channel or (g.get("channel", "web") if has_request_context() else "cli"),
        previous_hash=previous_hash,
    )
    entry.entry_hash = _entry_hash(entry)
    db.session.add(entry)
    db.session.flush()
    _move_head(entry.entry_hash)
    return entry


# The head row is read and written as a table, not as an AuditHead object: every change of
# every area is audited, so this is three plain statements (count and lock, insert the
# entry, move the head) where the ORM took four and a good deal more Python.
_HEAD = AuditHead.__table__


def _lock_head() -> str:
    """Take the write lock on the chain head (creating it on first use) and return its hash.

    On an empty chain several requests may arrive at once (the first sign-ins on a new
    database): each inserts the head row only if no one has, waiting for a concurrent insert
    to finish, then all queue on the UPDATE's row lock. A plain INSERT would make all but
    one fail with a duplicate key.
    """
    last_hash = _bump_head()
    if last_hash is None:
        db.session.execute(_insert_head_if_missing())
        last_hash = _bump_head()
    return last_hash


def _bump_head() -> str | None:
    """Count one more entry on the head row, which locks it until commit, and return the hash
    it holds (read after the lock, so it is the newest); None when there is no head yet."""
    return db.session.execute(
        update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(entries=_HEAD.c.entries + 1)
        .returning(_HEAD.c.last_hash)
    ).scalar()


def _move_head(entry_hash: str) -> None:
    """Make `entry_hash` the chain's newest; an AuditHead already loaded in this session is
    expired, so reading it again shows the new hash and count."""
    db.session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=entry_hash))
    loaded = db.session.identity_map.get(db.session.identity_key(AuditHead, 1))
    if loaded is not None:
        db.session.expire(loaded)


def _insert_head_if_missing():
    """INSERT ... ON CONFLICT DO NOTHING, in the dialect of the database in use."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return (
        insert(AuditHead)
        .values(id=1, last_hash=GENESIS, entries=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )


@dataclass
class ChainReport:
    entries: int
    broken_at: int | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 1000) -> ChainReport:
    """Walk every entry in order, recomputing hashes; report the first entry that does not fit."""
    expected_previous = GENESIS
    count = 0
    last_id = 0
    while True:
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not entries:
            break
        for entry in entries:
            count += 1
            if entry.previous_hash != expected_previous or _entry_hash(entry) != entry.entry_hash:
                return ChainReport(entries=count, broken_at=entry.id)
            expected_previous = entry.entry_hash
            last_id = entry.id
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and head.last_hash != expected_previous:
        return ChainReport(entries=count, broken_at=last_id)
    return ChainReport(entries=count)
