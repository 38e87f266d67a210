"""PostgreSQL connections checked out of the pool without a round trip to the server.

Why not `pool_pre_ping`: it sends `SELECT 1` and waits for the answer on every checkout, so
every request paid one more round trip to PostgreSQL before its own first query. What the ping
is for, a connection the server has closed while it sat in the pool (a restart, a failover,
an idle timeout, a killed backend), can be seen locally instead: the server says goodbye (a
FATAL message, then end of file) or the socket reports an error, and either leaves the idle
socket readable. An idle connection in the pool is otherwise silent (LearnLoop never LISTENs).

So on checkout the socket is asked, without waiting, whether anything arrived. Nothing: the
connection is used at once. Anything (the goodbye, end of file, an error): SQLAlchemy is told
(`DisconnectionError`), throws the connection away and opens a fresh one in its place, so the
request goes on as if nothing happened (tests/faults/test_postgres_restart.py). A server never
writes to an idle session unasked except to end it, so nothing usable is thrown away. Connections are also
replaced after `POOL_RECYCLE_SECONDS`, for the cases no socket can show (a firewall that drops
idle connections without a word).
"""

from __future__ import annotations

import select

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from app.extensions import db

_ALERT = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


def closed_by_server(connection) -> bool:
    """Whether an idle psycopg connection was closed or broken behind our back: nothing is
    sent and nothing is read, the socket is only asked whether anything arrived."""
    if connection.closed or connection.broken:
        return True
    try:
        poller = select.poll()
        poller.register(connection.fileno(), _ALERT)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # no usable socket: the connection is gone
        return True


def _on_checkout(dbapi_connection, _record, _proxy) -> None:
    if closed_by_server(dbapi_connection):
        raise DisconnectionError("PostgreSQL closed this pooled connection; opening another")


def uses_socket_check(uri: str) -> bool:
    """Only psycopg (3) connections to PostgreSQL are checked this way; others keep the ping."""
    return uri.startswith("postgresql+psycopg:")


def engine_options(config: dict) -> dict:
    """The engine's pool options for this database: the socket check and a recycle time for
    PostgreSQL through psycopg, `pool_pre_ping` for anything else."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uses_socket_check(config["SQLALCHEMY_DATABASE_URI"]):
        options.setdefault("pool_pre_ping", False)
        options.setdefault("pool_recycle", config.get("POOL_RECYCLE_SECONDS", 1800))
    else:
        options.setdefault("pool_pre_ping", True)
    return options


def check_checkouts(app: Flask) -> None:
    """Attach the check to PostgreSQL engines (SQLite has no server to go away)."""
    if not uses_socket_check(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    with app.app_context():
        engine = db.engine
        if not event.contains(engine, "checkout", _on_checkout):
            event.listen(engine, "checkout", _on_checkout)
