"""Backups and restores of the whole database.

SQLite uses the online backup API, so a copy is consistent even while the app writes.
PostgreSQL uses pg_dump's custom format and pg_restore. The password never appears on a
command line (it goes in PGPASSWORD), so other users of the machine cannot read it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# subprocess runs pg_dump and pg_restore with fixed argument lists, never through a shell.
import subprocess  # nosec B404
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL, make_url

from app import cache
from app.extensions import db


class BackupError(RuntimeError):
    pass


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def default_path(url: URL | None = None) -> Path:
    url = url or _url()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".sqlite3" if url.get_backend_name() == "sqlite" else ".dump"
    return Path(current_app.config["BACKUP_DIR"]) / f"learnloop-{stamp}{suffix}"


def _sqlite_copy(source: str, target: str) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")


def backup(path: Path | None = None) -> Path:
    """Write a consistent copy of the database to `path` (or BACKUP_DIR) and return it."""
    url = _url()
    path = Path(path or default_path(url))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    # Made readable by its owner only from the first byte (pg_dump and SQLite create the
    # file themselves, so the file is made first, empty, with that mode).
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(url.database, str(path))
    else:
        args, env = _pg_args(url)
        _run(
            [
                _pg_tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--no-acl",
                "--file",
                str(path),
                url.database,
            ],
            env,
        )
    path.chmod(0o600)  # it holds everything: readable by its owner only
    return path


def restore(path: Path) -> None:
    """Replace the whole database with the backup at `path`."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"There is no backup at {path}.")
    url = _url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(str(path), url.database)
    else:
        args, env = _pg_args(url)
        _run(
            [
                _pg_tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                url.database,
                str(path),
            ],
            env,
        )
    cache.bump_everything()  # cached pages described the database we just replaced
