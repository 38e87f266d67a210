"""Every piece of code that runs on a database session event, registered in one place.

Writes are explicit: a service function that changes reports updates their dashboard rollups
itself (app/governance/rollups.py), and nothing rewrites data behind a commit. Two things
still have to happen after *any* commit, whoever made it, and those alone are hooks:

- **The page cache's generations** (app/cache.py). A cached dashboard panel can never be stale
  because its key holds the data generation of each service it covers. After a commit that
  touched a service's rows, that service's generation goes up. Doing this in a hook is the
  point: a write path that forgot to say so would otherwise show old figures, and a bump made
  before the commit could let a reader cache the old data under the new generation. Flushes
  note the services touched; the commit bumps them; a rollback forgets them. While a cached
  entry is built, its statements are looked at too (`note_read_tables`, and every statement
  sent is counted so that one the ORM did not show is noticed): the cache learns which entries
  read no report, so that a new report leaves them cached.
- **The mail sender** (app/notifications/mail.py). `queue_email()` writes an outbox row in the
  change's own transaction; once that transaction has committed (and only then: a rolled-back
  change sends nothing) a background thread sends what is due.

These listeners attach to SQLAlchemy's `Session` class (the cache's statement counter to the
`Engine` class), so they cover every session (requests, CLI commands, background threads). `register_session_hooks` is called by `create_app` and
adds each one once, however many apps are made (the tests make many).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def _hooks() -> list[tuple[str, object]]:
    from app import cache
    from app.notifications import mail, push

    return [
        ("after_flush", cache.note_flushed_services),
        ("do_orm_execute", cache.note_bulk_statements),
        ("do_orm_execute", cache.note_read_tables),
        ("after_commit", cache.bump_generations),
        ("after_rollback", cache.forget_touched_services),
        ("after_commit", mail.send_after_commit),
        ("after_soft_rollback", mail.forget_queued_mail),
        ("after_commit", push.send_after_commit),
        ("after_soft_rollback", push.forget_queued_pushes),
    ]


def register_session_hooks(app: Flask) -> None:
    """Attach the listeners above to every SQLAlchemy session (once per process)."""
    for name, listener in _hooks():
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    from app import cache

    if not event.contains(Engine, "before_cursor_execute", cache.count_cursor_executes):
        event.listen(Engine, "before_cursor_execute", cache.count_cursor_executes)
