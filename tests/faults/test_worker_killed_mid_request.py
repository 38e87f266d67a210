"""A worker killed while it saves a report, then the phone sends the draft again: one record.

A carer's phone syncs a report; the gunicorn worker handling it dies with SIGKILL (out of
memory, a host being shut down) before the report is saved. The phone sees the connection drop
and its outbox sends the same draft again, with the same client_id, to the worker gunicorn
starts in its place. Nothing may be lost and nothing doubled.

To kill the worker at that moment every time, not roughly then, the test holds the database's
write lock itself: the POST gets through sign-in, CSRF and its reads, then waits on the INSERT
inside the worker. The test sees it waiting (PostgreSQL: blocked by our lock in
pg_stat_activity; SQLite: asleep in the busy timeout, the only place a sync worker sleeps),
kills the worker there and only then lets go of the lock.

PostgreSQL runs on TEST_DATABASE_URL (its schema is emptied and migrated afresh, as the main
suite does); without it that case is skipped, which CI counts as a failure.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests

from tests.faults.helpers import app_env, children_of, flask, start_gunicorn, stop, wait_for
from tests.functional.servers import signed_in_session

EMAIL = "carer@willow.example.org"
PASSWORD = "purple tractor singing quietly"


class SQLiteDatabase:
    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def empty(self) -> None:
        """A new file in a temporary folder is empty already."""

    @contextmanager
    def write_lock(self):
        """BEGIN IMMEDIATE takes the one write lock: other writers wait in their busy timeout
        (5 s), while readers go on, so the request gets as far as its INSERT."""
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()

    def insert_is_waiting(self, worker: int) -> bool:
        """An idle sync worker waits in select(); asleep, it is in SQLite's busy handler."""
        return "nanosleep" in Path(f"/proc/{worker}/wchan").read_text()

    def reports_sent_as(self, client_id: str) -> int:
        connection = sqlite3.connect(self.path)
        try:
            query = "SELECT count(*) FROM report WHERE client_id = ?"
            return connection.execute(query, (client_id,)).fetchone()[0]
        finally:
            connection.close()


class PostgresDatabase:
    def __init__(self, url: str):
        self.url = url
        self.dsn = url.replace("postgresql+psycopg", "postgresql")
        self.holder_pid: int | None = None

    def empty(self) -> None:
        """Start from nothing, so the migrations build the whole schema (as the suite does)."""
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
            connection.execute("CREATE SCHEMA public")

    @contextmanager
    def write_lock(self):
        """SHARE mode lets the request read the report table but not insert into it."""
        connection = psycopg.connect(self.dsn)
        try:
            connection.execute("LOCK TABLE report IN SHARE MODE")
            self.holder_pid = connection.info.backend_pid
            yield
        finally:
            connection.rollback()
            connection.close()

    def insert_is_waiting(self, _worker: int) -> bool:
        """Exactly one INSERT into report is blocked, and by our lock."""
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))"
            " AND query ILIKE 'INSERT INTO report %%'"
        )
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            return connection.execute(query, (self.holder_pid,)).fetchone()[0] == 1

    def reports_sent_as(self, client_id: str) -> int:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            query = "SELECT count(*) FROM report WHERE client_id = %s"
            return connection.execute(query, (client_id,)).fetchone()[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        database = SQLiteDatabase(tmp_path / "learnloop.sqlite3")
    else:
        url = os.environ.get("TEST_DATABASE_URL", "")
        if not url.startswith("postgresql"):
            pytest.skip("set TEST_DATABASE_URL to a PostgreSQL database to run this case")
        database = PostgresDatabase(url)
    database.empty()
    env = app_env(database.url)
    flask(env, "db", "upgrade")
    flask(env, "create-user", "--email", EMAIL, "--name", "Carer Willow", "--role", "staff",
          "--organisation", "Care Group", "--service", "Willow House",
          "--password", PASSWORD)  # fmt: skip
    return database


def draft() -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "device_time": "2026-03-14T06:55:00+00:00",
        "description": "Hoist sling frayed at the seam; took it out of use.",
        "kind": "near_miss",
        "category": "equipment",
    }


def test_a_worker_killed_mid_request_then_the_retry_leaves_exactly_one_report(database):
    body = draft()
    server, base = start_gunicorn(app_env(database.url), workers=1)
    try:
        http, csrf = signed_in_session(base, EMAIL, PASSWORD)

        def send() -> requests.Response:
            return http.post(f"{base}/api/v1/reports", json=body,
                             headers={"X-CSRFToken": csrf}, timeout=60)  # fmt: skip

        [worker] = children_of(server.pid)
        with database.write_lock(), ThreadPoolExecutor(max_workers=1) as phone:
            first = phone.submit(send)
            # Within SQLite's 5 s busy timeout, after which the request would fail by itself.
            wait_for(lambda: database.insert_is_waiting(worker), "the INSERT to wait", timeout=4)
            os.kill(worker, signal.SIGKILL)
            with pytest.raises(requests.ConnectionError):
                first.result(timeout=30)
        assert database.reports_sent_as(body["client_id"]) == 0, "the killed request saved"

        retry = send()
        assert worker not in children_of(server.pid), "the killed worker is still running"
        again = send()
    finally:
        stop(server)

    assert retry.status_code == 201, retry.text
    assert (again.status_code, again.json()["id"]) == (200, retry.json()["id"])
    assert database.reports_sent_as(body["client_id"]) == 1
