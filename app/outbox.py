"""Sending an outbox's rows after the commit that queued them, on a background thread.

The email outbox (app/notifications/mail.py) and the push outbox (app/notifications/push.py)
work the same way: a change writes its outbox rows in its own transaction and marks the
session; once that transaction has committed (a rolled-back change sends nothing) a daemon
thread sends what is due, so a slow or broken mail server or push service never blocks or
breaks the request. What a thread misses, the outbox's worker command picks up and retries.
The two session hooks each sender needs are registered in app/hooks.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.base import utcnow

log = logging.getLogger(__name__)


class AfterCommitSender:
    """Starts `deliver_due` on a background thread after a commit that queued something.

    `queued_key` marks the session (`db.session.info[queued_key] = True`, set by `mark_queued`);
    `enabled_setting` names the config flag that turns background sending on (tests turn it off
    to send by hand)."""

    def __init__(self, name: str, queued_key: str, enabled_setting: str, deliver_due: Callable):
        self.name = name
        self.queued_key = queued_key
        self.enabled_setting = enabled_setting
        self.deliver_due = deliver_due
        self._threads: list[threading.Thread] = []

    def mark_queued(self) -> None:
        """Say that this transaction queued a row, so its commit starts a sender."""
        db.session.info[self.queued_key] = True

    def send_after_commit(self, session: Session) -> None:
        """after_commit hook: start a sender when the transaction queued something."""
        if not session.info.pop(self.queued_key, False):
            return
        try:
            app = current_app._get_current_object()
        except RuntimeError:
            return
        if not app.config.get(self.enabled_setting):
            return
        self._threads[:] = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=self._deliver_in_background, args=(app,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def forget_queued(self, session: Session, _transaction=None) -> None:
        """after_soft_rollback hook: the queued rows are gone, so send nothing."""
        session.info.pop(self.queued_key, None)

    def wait_for_background_delivery(self) -> None:
        """Wait for the senders started so far (tests and the CLI use this)."""
        while self._threads:
            self._threads.pop().join()

    def _deliver_in_background(self, app: Flask) -> None:
        with app.app_context():
            try:
                self.deliver_due()
            except Exception:  # a background sender must never crash loudly; the worker retries
                log.exception("Background %s delivery failed", self.name)
            finally:
                db.session.remove()


# -- the rows: which are due, and claiming one so it is sent once ------------------------------

# A row left "sending" this long (a crashed process) is tried again.
STALE_SENDING = timedelta(minutes=10)


def _due_condition(model, statuses, now):
    """Pending rows whose time has come, and rows a crashed sender left "sending"."""
    return or_(
        (model.status == statuses.PENDING) & (model.next_attempt_at <= now),
        (model.status == statuses.SENDING) & (model.next_attempt_at <= now - STALE_SENDING),
    )


def due_ids(model, statuses, limit: int) -> list[int]:
    """The ids of the outbox rows due now, oldest first. `model` is the outbox table
    (OutboundEmail, OutboundPush); `statuses` its status enum (PENDING, SENDING, ...)."""
    now = utcnow()
    return db.session.scalars(
        select(model.id).where(_due_condition(model, statuses, now)).order_by(model.id).limit(limit)
    ).all()


def claim(model, statuses, row_id: int):
    """Mark one row as being sent, unless another sender got there first. A conditional UPDATE,
    so however many senders run (threads, worker, app nodes) each row is sent once."""
    now = utcnow()
    claimed = db.session.execute(
        update(model)
        .where(
            model.id == row_id,
            or_(
                model.status == statuses.PENDING,
                (model.status == statuses.SENDING) & (model.next_attempt_at <= now - STALE_SENDING),
            ),
        )
        .values(status=statuses.SENDING, next_attempt_at=now)
    ).rowcount
    db.session.commit()
    return db.session.get(model, row_id, populate_existing=True) if claimed else None


def record_failure(row, statuses, reason: str, *, max_attempts: int, base_seconds: int) -> str:
    """A send failed: try again after a doubling wait (base, 2×base, 4×base, ...), or mark the
    row failed after `max_attempts`. Commits; answers "retry" or "failed"."""
    row.attempts += 1
    row.last_error = reason[:500]
    if row.attempts >= max_attempts:
        row.status = statuses.FAILED
        log.error(
            "Gave up on %s %s after %s tries: %s", row.__tablename__, row.id, row.attempts, reason
        )
        outcome = "failed"
    else:
        delay = base_seconds * 2 ** (row.attempts - 1)
        row.status = statuses.PENDING
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        log.warning(
            "%s %s failed (try %s): %s; retrying in %ss",
            row.__tablename__,
            row.id,
            row.attempts,
            reason,
            delay,
        )
        outcome = "retry"
    db.session.commit()
    return outcome
