"""With REDIS_URL set, throttling is shared by every app process (none holds state)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import redis

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

_SIGN_IN_FROM_A_NEW_PROCESS = textwrap.dedent(
    """
    import sys
    from app import create_app
    from tests.conftest import sign_in

    app = create_app({
        "ENV_NAME": "testing", "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": sys.argv[1], "RATELIMIT_STORAGE_URI": sys.argv[2],
    })
    for password in sys.argv[3:]:
        print(sign_in(app.test_client(), "carer@willow.example.org", password).status_code)
    """
)


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


def _process_signs_in(app, *passwords: str) -> list[int]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _SIGN_IN_FROM_A_NEW_PROCESS,
            app.config["SQLALCHEMY_DATABASE_URI"],
            REDIS,
            *passwords,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [int(line) for line in result.stdout.split()]


def test_failed_sign_ins_are_counted_across_app_processes(app, world, redis_db):
    assert _process_signs_in(app, "guess", "guess", "guess") == [200, 200, 200]
    # A second process, as another gunicorn worker would be, sees the same count.
    assert _process_signs_in(app, "guess", "guess", "correct horse battery") == [200, 200, 429]
