"""Saving a draft synced from a device exactly once: one path for reports, reflections and
observations.

The device makes a UUID (`client_id`) when a draft is created and sends it with every attempt.
The record keeps it under a unique constraint (`ClientIdMixin`), with a hash of the body, so:

- a first attempt saves the record (`created=True`);
- a repeat with the same body, by the same person, returns the stored record (`created=False`);
- the same `client_id` with a different body, or from someone else, raises `ClientIdConflict`
  (the API answers 422, and the device offers to send it as a new draft);
- two attempts racing each other cannot both insert: the loser's IntegrityError is rolled back
  and answered with the winner's record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.validation import Invalid

T = TypeVar("T")
R = TypeVar("R")


class ClientIdConflict(Invalid):
    """The client_id was already used for a record with a different body (the API's 422)."""

    def __init__(self, message: str = "This draft was already sent with different answers."):
        super().__init__({"client_id": [message]})


def payload_hash(body: Mapping[str, Any]) -> str:
    """A fingerprint of a body, to tell a retry from a different draft with the same id.

    Each area passes the body that makes a draft what it is (a report's answers without the
    CSRF token; a reflection's cleaned answers and links; an observation's answers).
    """
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def save_once(
    client_id: str | None,
    digest: str,
    *,
    find: Callable[[str], T | None],
    same_writer: Callable[[T], bool],
    save: Callable[[], R],
) -> tuple[T | R, bool]:
    """Save a synced draft at most once per `client_id`; return `(record, created)`.

    `find(client_id)` returns the stored record (or None); `same_writer(stored)` says whether it
    is the sender's own; `save()` validates, adds, audits and commits the new record (it may
    raise `Invalid`). A stored record with another body, or someone else's, is a conflict.
    """
    if client_id and (stored := find(client_id)) is not None:
        return _repeat(stored, digest, same_writer), False
    try:
        return save(), True
    except IntegrityError:
        db.session.rollback()
        stored = find(client_id) if client_id else None
        if stored is None:
            raise
        return _repeat(stored, digest, same_writer), False


def _repeat(stored, digest: str, same_writer: Callable[[Any], bool]):
    if stored.payload_hash != digest or not same_writer(stored):
        raise ClientIdConflict()
    return stored
