"""A pooled PostgreSQL connection that the server closed is replaced on checkout, without the
round trip of a ping (app/pool.py): the next request works as if nothing had happened.

(tests/faults/test_postgres_restart.py restarts a whole private server; this one ends a single
backend of the test database, so it runs with the ordinary suite on PostgreSQL.)
"""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.pool import closed_by_server

FRESH_SETTINGS = ("ENV_NAME", "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")


@pytest.fixture
def postgres(app):
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return url


def _end_backend(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _wait_until_closed(connection) -> None:
    for _ in range(100):
        if closed_by_server(connection):
            return
        time.sleep(0.02)
    raise AssertionError("the ended connection still looks open")


@pytest.mark.postgresql_only  # SQLite has no server to close a connection
def test_an_idle_connection_is_seen_closed_only_once_the_server_ends_it(postgres):
    with psycopg.connect(postgres) as connection:
        connection.execute("SELECT 1")
        connection.rollback()
        assert not closed_by_server(connection)
        _end_backend(postgres, connection.info.backend_pid)
        _wait_until_closed(connection)


@pytest.mark.postgresql_only
def test_a_request_after_the_server_ended_its_pooled_connection_still_works(app, client, postgres):
    with app.app_context():
        db.engine.dispose()  # one pooled connection, whose backend we know
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        raw = db.session.connection().connection.dbapi_connection
        db.session.remove()
        _end_backend(postgres, pid)
        _wait_until_closed(raw)
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != pid


def test_a_new_process_whose_first_request_is_a_signed_in_page_answers(app, signed_in, world):
    """Every gunicorn worker starts with an engine that has never connected, and the first
    request it gets may be someone's signed-in page, whose sign-in lookup is then the
    process's first statement (app/auth/sessions.py). It must answer the page, not 500."""
    cookie = signed_in(world.staff).get_cookie("session").value
    fresh = create_app({key: app.config[key] for key in FRESH_SETTINGS})
    try:
        visitor = fresh.test_client()
        visitor.set_cookie("session", cookie)
        page = visitor.get("/report")
        assert page.status_code == 200
        assert "Sign out" in page.get_data(as_text=True)
    finally:
        with fresh.app_context():
            db.engine.dispose()
