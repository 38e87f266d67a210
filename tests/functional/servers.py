"""Run the real app under gunicorn (several worker processes) for tests that need a real server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int = 4):
    """Yield the base URL of gunicorn serving wsgi:app on `database_url`."""
    port = _free_port()
    env = {
        **os.environ,
        "LEARNLOOP_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait until it answers (not a timing assertion)
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def signed_in_session(base: str, email: str, password: str) -> tuple[requests.Session, str]:
    """A requests session signed in through the real form, and a CSRF token for the API."""
    http = requests.Session()
    page = http.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = http.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    csrf = http.get(f"{base}/api/v1/session").json()["csrf_token"]
    return http, csrf
