"""SQLite settings for a small server: WAL so readers never block the writer, a busy timeout so
two workers writing at once wait instead of failing, and foreign keys enforced.

The database file holds everything, so it is readable by its owner only (mode 0600): made
empty with that mode before SQLite first opens it, and narrowed at start-up if an older copy
is wider. SQLite gives its -wal and -shm files the database file's mode.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from app.extensions import db


def _on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


OWNER_ONLY = 0o600


def database_file(uri: str) -> Path | None:
    """The file behind a SQLite URL; None for memory databases and other engines."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None  # URI filenames (shared memory databases in tests)
    return Path(url.database)


def keep_owner_only(path: Path) -> None:
    """Create the file readable and writable by its owner only, or narrow it to that.
    A missing folder is left missing: SQLite will say so when the app first connects."""
    if not path.parent.is_dir():
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(OWNER_ONLY)
    else:
        os.close(descriptor)  # an empty file is an empty SQLite database
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists() and stat.S_IMODE(companion.stat().st_mode) & 0o077:
            companion.chmod(OWNER_ONLY)


def tune_connections(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    if path := database_file(app.config["SQLALCHEMY_DATABASE_URI"]):
        keep_owner_only(path)
    with app.app_context():
        engine: Engine = db.engine
        event.listen(engine, "connect", _on_connect)
