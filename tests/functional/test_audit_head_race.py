"""The first audit entries on a new database race to create the chain's head row: every one
must be written, in one unbroken chain, with no duplicate-key error (on PostgreSQL this was a
500 for some of the first sign-ins)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.audit import log_event, verify_chain
from app.extensions import db
from app.models.audit import AuditEntry, AuditHead

WRITERS = 8


def test_the_first_entries_at_once_make_one_chain(app):
    with app.app_context():
        assert db.session.get(AuditHead, 1) is None, "the chain must start empty"
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def first_entry(number: int) -> None:
        with app.app_context():
            try:
                start.wait()
                log_event("test.first_entry", summary={"writer": number}, actor=None)
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first_entry, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == WRITERS
        assert db.session.get(AuditHead, 1).entries == WRITERS
        report = verify_chain()
        assert report.intact and report.entries == WRITERS
