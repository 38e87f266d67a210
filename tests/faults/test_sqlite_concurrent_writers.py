"""SQLite in WAL mode with a busy timeout: two gunicorn workers writing at once both succeed.

Every sign-in writes a session row and an audit entry (which takes the chain's write lock),
so many sign-ins at once through two worker processes make the two processes write at the
same moment. None may fail, and the audit chain must stay whole.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from tests.faults.helpers import Browser, app_env, flask, start_gunicorn, stop

PASSWORD = "purple tractor singing quietly"
SIGN_INS = 40


def test_two_workers_writing_at_once_lose_nothing(tmp_path):
    database = tmp_path / "learnloop.sqlite3"
    env = app_env(f"sqlite:///{database}")
    flask(env, "db", "upgrade")
    flask(env, "create-user", "--email", "carer@example.org", "--name", "Carer",
          "--organisation", "Care Group", "--service", "Willow",
          "--password", PASSWORD)  # fmt: skip
    server, base = start_gunicorn(env, workers=2)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(
                pool.map(lambda _: Browser(base).sign_in("carer@example.org", PASSWORD),
                         range(SIGN_INS))
            )  # fmt: skip
    finally:
        stop(server)
    assert results == [302] * SIGN_INS
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        sessions = connection.execute("SELECT count(*) FROM sign_in_session").fetchone()[0]
        signed_in = connection.execute(
            "SELECT count(*) FROM audit_entry WHERE action = 'auth.signed_in'"
        ).fetchone()[0]
    connection.close()
    assert sessions == signed_in == SIGN_INS
    verified = flask(env, "audit", "verify")
    assert "intact" in verified.stdout
