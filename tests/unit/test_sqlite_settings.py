"""SQLite is tuned for several app processes: WAL, a busy timeout and foreign keys."""

from __future__ import annotations

from sqlalchemy import text

from app import create_app
from app.extensions import db


def test_sqlite_connections_use_wal_and_wait_when_busy(tmp_path):
    application = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "k",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/tuned.sqlite3",
        }
    )
    with application.app_context():
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
        db.session.remove()
        db.engine.dispose()
    assert pragma == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}
