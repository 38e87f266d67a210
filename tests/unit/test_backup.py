"""Backups restore into a fresh database with every row and an intact audit trail,
on SQLite (online backup API) and PostgreSQL (pg_dump and pg_restore)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.audit import log_event, verify_chain
from app.extensions import db
from app.models import Base, User
from app.models.audit import AuditEntry

SCRATCH_DATABASE = "test_security_restore"


def _counts(application) -> dict[str, int]:
    with application.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def fresh_database_url(app, tmp_path):
    """An empty database of the same kind as the test database, dropped afterwards."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
    try:
        yield url.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_into_a_fresh_database_with_everything(
    app, world, tmp_path, fresh_database_url
):
    with app.app_context():
        for user in db.session.scalars(select(User)).all():
            log_event("person.reviewed", user, actor=None, summary={"note": "backup test"})
        db.session.commit()
    original = _counts(app)
    assert original["audit_entry"] == 8 and original["user_account"] == 8

    backup_file = tmp_path / "learnloop.backup"
    made = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
    assert made.exit_code == 0, made.output
    assert backup_file.stat().st_size > 0
    assert oct(backup_file.stat().st_mode)[-3:] == "600"

    fresh = create_app(
        {"ENV_NAME": "testing", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": fresh_database_url}
    )
    try:
        restored = fresh.test_cli_runner().invoke(args=["restore", str(backup_file), "--yes"])
        assert restored.exit_code == 0, restored.output
        assert "intact" in restored.output
        assert _counts(fresh) == original
        with fresh.app_context():
            report = verify_chain()
            assert report.intact and report.entries == 8
            newest = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        with app.app_context():
            expected = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert newest.entry_hash == expected.entry_hash
    finally:
        with fresh.app_context():
            db.session.remove()
            db.engine.dispose()


def test_restore_refuses_a_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "none"), "--yes"])
    assert result.exit_code != 0
