"""Two-step sign-in secrets are sealed at rest: a copy of the database alone cannot make codes,
a server with the wrong key refuses clearly, keys can be rotated, and the migration seals the
secrets stored before it. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app.auth import twofactor
from app.extensions import db
from app.models import AuditEntry, utcnow
from tests.conftest import csrf_token_from, post_form, sign_in


class Clock:
    """The time two-step sign-in reads, moved on by hand: each sign-in needs a fresh 30-second
    step (a code never works twice), and waiting for real ones would make the tests slow."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def code_for_next_step(self, secret: str) -> str:
        self.now += timedelta(seconds=30)
        return pyotp.TOTP(secret).at(self.now)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(twofactor, "utcnow", clock)
    return clock


def _use_key(app, monkeypatch, keys: str) -> None:
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEY", keys)


def _turn_on(client, clock: Clock) -> tuple[str, list[str]]:
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    code = pyotp.TOTP(secret).at(clock.now)
    body = post_form(
        client, "/account/two-step", {"code": code}, page_url="/account/two-step"
    ).get_data(as_text=True)
    assert "Two-step sign-in is on" in body
    post_form(client, "/logout", {})
    return secret, re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", body)


def _second_step(client, code: str):
    token = csrf_token_from(client.get("/login/two-step").get_data(as_text=True))
    return client.post("/login/two-step", data={"code": code, "csrf_token": token})


def _sign_in_with_code(client, email: str, code: str):
    assert sign_in(client, email).headers["Location"].startswith("/login/two-step")
    return _second_step(client, code)


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _stored(app, user_id: int, column: str = "totp_secret_sealed") -> str | None:
    """The column as a database dump would show it (no model, no key)."""
    with app.app_context():
        return db.session.execute(
            text(f"SELECT {column} FROM user_account WHERE id = :id"),  # noqa: S608
            {"id": user_id},
        ).scalar()


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_the_database_holds_only_a_sealed_secret_and_codes_still_sign_in(
    app, client, signed_in, world, clock
):
    signed_in(world.manager)
    secret, _codes = _turn_on(client, clock)

    stored = _stored(app, world.manager.id)
    assert stored and stored != secret and secret not in stored
    assert secret.lower() not in stored.lower()

    response = _sign_in_with_code(client, world.manager.email, clock.code_for_next_step(secret))
    assert response.status_code == 302 and _signed_in(client)


def test_the_secret_waiting_in_the_session_cookie_during_set_up_is_sealed(
    app, client, signed_in, world
):
    signed_in(world.admin)
    first = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7]+)</code>', first).group(1)
    assert secret in client.get("/account/two-step").get_data(as_text=True)  # same on reload

    cookie = client.get_cookie("session").value
    contents = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert secret not in cookie and secret not in json.dumps(contents)


def test_a_copy_of_the_database_with_another_key_cannot_check_codes(
    app, client, signed_in, world, clock, monkeypatch, caplog
):
    signed_in(world.manager)
    secret, codes = _turn_on(client, clock)
    _use_key(app, monkeypatch, Fernet.generate_key().decode())  # another server's key

    with caplog.at_level(logging.ERROR):
        response = _sign_in_with_code(client, world.manager.email, clock.code_for_next_step(secret))
    assert response.status_code == 200
    assert "cannot be checked on this server" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert [e.record_id for e in _audit(app, "auth.two_step_secret_unreadable")] == [
        world.manager.id
    ]
    assert "TOTP_ENCRYPTION_KEY" in caplog.text

    # Recovery codes are hashes, not sealed: the person can still get in and start again.
    assert _second_step(client, codes[0]).status_code == 302 and _signed_in(client)


def test_rotating_the_key_keeps_sign_in_working_and_then_the_old_key_can_go(
    app, world, clock, monkeypatch
):
    # Not the `client` fixture: it keeps its last request open, and the command would then
    # be audited as a web request rather than from the command line.
    client = app.test_client()
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _use_key(app, monkeypatch, old)
    sign_in(client, world.manager.email)
    secret, _codes = _turn_on(client, clock)

    _use_key(app, monkeypatch, f"{new},{old}")
    response = _sign_in_with_code(client, world.manager.email, clock.code_for_next_step(secret))
    assert response.status_code == 302 and _signed_in(client)
    post_form(client, "/logout", {})

    rotated = app.test_cli_runner().invoke(args=["twofactor", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    assert "1 sealed again with the newest key" in rotated.output
    entries = _audit(app, "auth.two_factor_key_rotated")
    assert [(e.record_id, e.channel, e.actor_id) for e in entries] == [
        (world.manager.id, "cli", None)
    ]
    again = app.test_cli_runner().invoke(args=["twofactor", "rotate-key"])
    assert "0 sealed again with the newest key, 1 already used it" in again.output

    _use_key(app, monkeypatch, new)
    response = _sign_in_with_code(client, world.manager.email, clock.code_for_next_step(secret))
    assert response.status_code == 302 and _signed_in(client)
    post_form(client, "/logout", {})

    _use_key(app, monkeypatch, old)  # the old key alone no longer opens it
    response = _sign_in_with_code(client, world.manager.email, clock.code_for_next_step(secret))
    assert "cannot be checked on this server" in response.get_data(as_text=True)


def test_rotate_key_leaves_a_secret_no_key_opens_and_says_whose(
    app, client, signed_in, world, clock, monkeypatch
):
    signed_in(world.admin)
    _turn_on(client, clock)
    before = _stored(app, world.admin.id)
    _use_key(app, monkeypatch, Fernet.generate_key().decode())

    result = app.test_cli_runner().invoke(args=["twofactor", "rotate-key"])
    assert result.exit_code != 0
    assert f"user ids {world.admin.id}" in result.output
    assert _stored(app, world.admin.id) == before
    assert _audit(app, "auth.two_factor_key_rotated") == []


def _set_plaintext_secret(app, user_id: int, secret: str) -> None:
    with app.app_context():
        db.session.execute(
            text("UPDATE user_account SET totp_secret = :secret WHERE id = :id"),
            {"secret": secret, "id": user_id},
        )
        db.session.commit()


def _migrate(app, revision: str | None = None) -> None:
    with app.app_context():
        db.session.remove()
        if revision:
            downgrade(revision=revision)
        else:
            upgrade()


def test_the_migration_seals_secrets_stored_before_it_and_opens_them_going_down(
    app, client, world, clock
):
    secret = pyotp.random_base32()
    _migrate(app, "0015_perf")
    try:
        _set_plaintext_secret(app, world.manager.id, secret)
        _migrate(app)
        stored = _stored(app, world.manager.id)
        assert stored and secret not in stored

        response = _sign_in_with_code(client, world.manager.email, clock.code_for_next_step(secret))
        assert response.status_code == 302 and _signed_in(client)

        _migrate(app, "0015_perf")
        assert _stored(app, world.manager.id, column="totp_secret") == secret
    finally:
        _migrate(app)
