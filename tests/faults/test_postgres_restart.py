"""PostgreSQL restarted under load: only requests in flight at that moment may fail, and the
connection pool recovers by itself (app/pool.py checks each pooled connection's socket on
checkout), with no restart of the app.

The test runs its own private PostgreSQL (initdb and pg_ctl as the postgres user, in a
temporary folder, on a free port), never the shared server, and removes it afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.faults.helpers import free_port

THREADS = 6


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True,
                   capture_output=True, text=True)  # fmt: skip


@pytest.fixture
def private_postgres():
    if not (_bin("initdb") and shutil.which("runuser") and os.geteuid() == 0):
        pytest.skip("needs root, runuser and the PostgreSQL server binaries")
    folder = Path(tempfile.mkdtemp(prefix="learnloop-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    data, port = folder / "data", free_port()
    _as_postgres(_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    control = [_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w"]
    _as_postgres(*control, "start")
    try:
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE learnloop")
        yield {
            "url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/learnloop",
            "restart": lambda: _as_postgres(*control, "-m", "fast", "restart"),
        }
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", _bin("pg_ctl"), "-D", str(data),
                        "-m", "immediate", "stop"], capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def test_a_postgres_restart_fails_only_requests_in_flight(private_postgres):
    application = create_app(
        {"ENV_NAME": "testing", "SECRET_KEY": "k",
         "SQLALCHEMY_DATABASE_URI": private_postgres["url"]}
    )  # fmt: skip
    with application.app_context():
        upgrade()
        db.session.remove()

    results: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def load():
        client = application.test_client()
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = client.get("/healthz").status_code
            except Exception:  # an error the test client re-raises: a 500 in production
                status = 500
            results.append((started, time.monotonic(), status))

    workers = [threading.Thread(target=load) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    time.sleep(1)  # the pool fills with open connections
    restart_began = time.monotonic()
    private_postgres["restart"]()
    restart_ended = time.monotonic()
    time.sleep(1.5)
    stop.set()
    for worker in workers:
        worker.join()

    before = [r for r in results if r[1] < restart_began]
    after = [r for r in results if r[0] > restart_ended]
    failed = [r for r in results if r[2] != 200]
    assert before and after, "the load ran on both sides of the restart"
    assert all(status == 200 for *_, status in before)
    assert all(status == 200 for *_, status in after), "the pool did not recover"
    for started, ended, _status in failed:  # only requests overlapping the restart
        assert started <= restart_ended and ended >= restart_began

    # A restart while the app is idle: every pooled connection is dead but nobody has
    # noticed. The checkout check sees each one closed and reconnects, so no request fails.
    private_postgres["restart"]()
    client = application.test_client()
    assert [client.get("/healthz").status_code for _ in range(20)] == [200] * 20
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
