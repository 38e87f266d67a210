"""Idempotent creation by `client_id`, for every record the offline outbox syncs.

The device makes a UUID when a draft is created and sends it with every attempt. The server
keeps it under a unique constraint with a hash of the body, so:

- a first attempt creates the record (`created=True`);
- a repeat with the same body returns the stored record (`created=False`);
- the same `client_id` with a different body raises `IdempotencyConflict`;
- two attempts racing each other cannot both insert: the loser's IntegrityError is caught,
  rolled back, and the winner's record returned.

Reports, reflections and observations use the same helper: the model needs a unique
`client_id` column and a `payload_hash` column.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db

T = TypeVar("T")


class IdempotencyConflict(ValueError):
    """The client_id was already used for a record with a different body."""


def payload_hash(payload: Mapping[str, Any]) -> str:
    """A stable hash of a body: key order and blank optional answers do not matter."""
    cleaned = {
        key: _normalise(value) for key, value in payload.items() if value not in (None, "", [], {})
    }
    canonical = json.dumps(cleaned, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {k: _normalise(v) for k, v in value.items() if v not in (None, "")}
    return value


def find_by_client_id(model: type[T], client_id: str) -> T | None:
    return db.session.scalars(select(model).where(model.client_id == client_id)).first()


def _same_or_conflict(record, digest: str, owner_check: Callable[[Any], bool] | None):
    if record.payload_hash != digest or (owner_check and not owner_check(record)):
        raise IdempotencyConflict(record.client_id)
    return record


def create_once(
    model: type[T],
    client_id: str | None,
    payload: Mapping[str, Any],
    build: Callable[[str | None], T],
    *,
    owner_check: Callable[[T], bool] | None = None,
) -> tuple[T, bool]:
    """Create the record `build(payload_hash)` returns, at most once per `client_id`.

    `build` adds the new record (and its audit entry) to the session without committing;
    this function commits. `owner_check(existing)` can refuse a stored record that belongs to
    someone else (treated as a conflict). Returns `(record, created)`.
    """
    digest = payload_hash(payload)
    if client_id:
        existing = find_by_client_id(model, client_id)
        if existing is not None:
            return _same_or_conflict(existing, digest, owner_check), False
    try:
        record = build(digest)  # may flush: a racing duplicate can fail here already
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_by_client_id(model, client_id) if client_id else None
        if existing is None:
            raise
        return _same_or_conflict(existing, digest, owner_check), False
    return record, True
