"""Phones and tablets shared between staff: what the service worker may keep holds nothing
about the person, and signing in or out tells the device to drop what it kept."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import ChecklistTemplate
from tests.conftest import post_form

COPY = {"X-LearnLoop-Offline-Copy": "1"}


def _no_person_in(page: str, *names: str) -> None:
    assert "csrf_token" not in page and 'name="learnloop-user"' not in page
    assert "Sign out" not in page and "X-CSRFToken" not in page
    for name in names:
        assert name not in page


def test_offline_copies_of_the_forms_hold_nothing_about_the_person(app, client, signed_in, world):
    signed_in(world.supervisor)
    for url in ("/report", "/reflect", "/observe"):
        response = client.get(url, headers=COPY)
        assert response.status_code == 200, url
        assert response.headers["X-LearnLoop-Offline-Copy"] == "1"
        assert response.headers["Cache-Control"] == "private, no-cache"
        _no_person_in(
            response.get_data(as_text=True),
            world.supervisor.name,
            world.staff.name,
            world.manager.name,
        )
    report_copy = client.get("/report", headers=COPY).get_data(as_text=True)
    assert re.search(r'name="client_id" value=""', report_copy)
    assert re.search(r'name="receipt_code" value=""', report_copy)
    assert 'data-outbox="/api/v1/reports"' in report_copy
    # What the person was shown is personal, never kept.
    page = client.get("/observe")
    assert page.headers["Cache-Control"] == "no-store"
    assert world.staff.name in page.get_data(as_text=True)


def test_the_observe_copy_offers_the_checklists_but_no_staff(app, client, signed_in, world):
    with app.app_context():
        has_checklists = db.session.scalars(select(ChecklistTemplate)).first() is not None
    signed_in(world.supervisor)
    page = client.get("/observe", headers=COPY).get_data(as_text=True)
    assert "Choosing the person needs a connection" in page
    assert 'name="staff_id"' not in page and "Recent observations" not in page
    assert has_checklists is False or "<h2>Checklists</h2>" in page


def test_other_pages_ignore_the_offline_copy_header(client, signed_in, world):
    signed_in(world.staff)
    response = client.get("/reports/mine", headers=COPY)
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-LearnLoop-Offline-Copy" not in response.headers


def test_pages_carry_a_tag_of_the_sign_in_that_changes_with_each_sign_in(client, signed_in, world):
    assert "LearnLoop-Sign-In" not in client.get("/login").headers
    signed_in(world.staff)
    first = client.get("/").headers["LearnLoop-Sign-In"]
    assert first == client.get("/report").headers["LearnLoop-Sign-In"]
    assert str(world.staff.id) != first and len(first) == 32
    out = post_form(client, "/logout", {})
    assert out.headers["Clear-Site-Data"] == '"cache"'
    assert "LearnLoop-Sign-In" not in out.headers
    assert "LearnLoop-Sign-In" not in client.get("/login").headers
    signed_in(world.supervisor)
    assert client.get("/").headers["LearnLoop-Sign-In"] not in (None, first)


def test_signing_in_asks_the_browser_to_drop_its_cache(client, world):
    from tests.conftest import sign_in

    failed = sign_in(client, world.staff.email, password="not the password")  # noqa: S106
    assert "Clear-Site-Data" not in failed.headers
    response = sign_in(client, world.staff.email)
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache"'


# ---- files on the server -----------------------------------------------------------------


@pytest.fixture
def usual_umask():
    """Files would be world-readable by default, as on most servers."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_sqlite_database_is_created_readable_by_its_owner_only(tmp_path, usual_umask):
    path = tmp_path / "learnloop.sqlite3"
    application = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "file-mode-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )
    with application.app_context():
        db.session.execute(db.text("CREATE TABLE note (body TEXT)"))
        db.session.execute(db.text("INSERT INTO note VALUES ('x')"))
        db.session.commit()
        for file in path.parent.glob("learnloop.sqlite3*"):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        db.engine.dispose()


def test_an_older_world_readable_database_is_narrowed_at_start(tmp_path, usual_umask):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    create_app(
        {"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_backups_are_created_readable_by_their_owner_only(tmp_path, usual_umask):
    from app.backup import backup

    source = tmp_path / "live.sqlite3"
    application = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{source}",
            "BACKUP_DIR": str(tmp_path / "backups"),
        }
    )
    with application.app_context():
        written = backup()
        again = backup(Path(written))  # over an existing file, too
        assert stat.S_IMODE(Path(written).stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(again).stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(written).parent.stat().st_mode) == 0o700
        db.engine.dispose()
