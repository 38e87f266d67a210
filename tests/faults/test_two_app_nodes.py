"""One of two app nodes dies under load: people keep working through the other.

The production shape of docs/scaling.md, small: nginx terminating TLS in front of two gunicorn
nodes (bench/shape.py starts it, as `make bench` does), LEARNLOOP_ENV=production. A care worker
signed in through nginx keeps opening pages from two threads; one node is killed outright
(SIGKILL to its master and workers, as when its machine is lost). nginx sends what met the dead
node to the other one (`proxy_next_upstream error timeout http_502`), and the sign-in holds
because sessions live in the database, not in a node. Not one request may fail.

The database is SQLite in a temporary folder, and PostgreSQL too when TEST_DATABASE_URL names
one (its schema is emptied and migrated afresh, as the main suite does). Without nginx the test
is skipped, which CI counts as a failure: scripts/test.sh installs Debian's nginx first.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import uuid

import psycopg
import pytest
import requests

from bench.shape import nginx_binary, production_shape
from tests.faults.helpers import app_env, flask

EMAIL = "carer@willow.example.org"
PASSWORD = "purple tractor singing quietly"
PAGES = ("/", "/report", "/reports/mine")
BEFORE_KILL, AFTER_KILL = 3.0, 4.0


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed, and CI must run this test (scripts/test.sh)")
        pytest.skip("nginx is not installed (scripts/test.sh installs it with apt-get)")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'learnloop.sqlite3'}"
    else:
        url = os.environ.get("TEST_DATABASE_URL", "")
        if not url.startswith("postgresql"):
            pytest.skip("set TEST_DATABASE_URL to a PostgreSQL database to run this case")
        dsn = url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
            connection.execute("CREATE SCHEMA public")
    env = app_env(url)
    flask(env, "db", "upgrade")
    flask(env, "create-user", "--email", EMAIL, "--name", "Carer Willow", "--role", "staff",
          "--organisation", "Care Group", "--service", "Willow House",
          "--password", PASSWORD)  # fmt: skip
    return url


def signed_in(base: str, cert: str) -> tuple[requests.Session, str]:
    """A browser-like session through nginx: secure cookies, CSRF token, Referer."""
    http = requests.Session()
    http.verify = cert
    http.trust_env = False  # a CA bundle named in the environment would replace ours
    page = http.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = http.post(
        f"{base}/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": f"{base}/login"},
        timeout=30,
    )
    assert answer.url.rstrip("/") == base, "sign-in through nginx did not reach the home page"
    assert any(c.name.startswith("__Host-") and c.secure for c in http.cookies)
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', answer.text).group(1)
    return http, csrf


class SteadyStream:
    """Threads opening signed-in pages one after another, noting when and how each ended."""

    def __init__(self, http: requests.Session, base: str, threads: int = 2):
        self.http, self.base = http, base
        self.outcomes: list[tuple[float, str, str]] = []  # (time, page, status or error)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _run(self, number: int) -> None:
        turn = number
        while not self._stop.is_set():
            page = PAGES[turn % len(PAGES)]
            turn += 1
            try:
                status = str(self.http.get(self.base + page, timeout=30).status_code)
            except requests.RequestException as error:
                status = type(error).__name__
            self.outcomes.append((time.monotonic(), page, status))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def test_killing_one_app_node_leaves_every_request_served_by_the_other(database_url, tmp_path):
    with production_shape(tmp_path / "shape", database_url, workers=1, threads=2) as shape:
        http, csrf = signed_in(shape.base, str(shape.cert))
        doomed, survivor = shape.nodes
        with SteadyStream(http, shape.base) as stream:
            time.sleep(BEFORE_KILL)
            os.killpg(doomed.pid, signal.SIGKILL)  # the node's master and its workers
            killed_at = time.monotonic()
            doomed.wait(timeout=10)
            time.sleep(AFTER_KILL)

        with pytest.raises(requests.ConnectionError):
            requests.get(shape.node_url(0) + "/healthz", timeout=5)  # it is really gone
        assert survivor.poll() is None, "the other node must still be running"
        report = http.post(
            f"{shape.base}/api/v1/reports",
            json={"client_id": str(uuid.uuid4()), "description": "Bed rail loose on one side.",
                  "kind": "near_miss", "category": "equipment", "time_bracket": "unknown"},
            headers={"X-CSRFToken": csrf, "Referer": f"{shape.base}/report"},
            timeout=30,
        )  # fmt: skip

    before = [o for o in stream.outcomes if o[0] < killed_at]
    after = [o for o in stream.outcomes if o[0] >= killed_at]
    failed = [o for o in stream.outcomes if o[2] != "200"]
    assert len(before) >= 10 and len(after) >= 10, (len(before), len(after))
    assert not failed, f"{len(failed)} of {len(stream.outcomes)} requests failed: {failed[:5]}"
    assert report.status_code == 201, report.text  # still signed in, writes still stored
