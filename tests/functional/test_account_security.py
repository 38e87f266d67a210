"""Changing your own password, two-step sign-in, signing someone out everywhere,
session timeouts, cookies and caching."""

from __future__ import annotations

import re

import pyotp
from cryptography.fernet import Fernet
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditEntry, RecoveryCode, SignInSession, User
from tests.conftest import PASSWORD, csrf_token_from, post_form, sign_in

NEW_PASSWORD = "purple tractor singing quietly"


def _change_password(client, current=PASSWORD, new=NEW_PASSWORD, again=NEW_PASSWORD):
    return post_form(
        client,
        "/account/password",
        {"current_password": current, "new_password": new, "confirm_password": again},
        page_url="/account/password",
    )


def test_staff_changes_their_password_and_other_devices_are_signed_out(app, world):
    phone, tablet = app.test_client(), app.test_client()
    sign_in(phone, world.staff.email)
    sign_in(tablet, world.staff.email)
    assert _change_password(phone).status_code == 302
    assert phone.get("/").status_code == 200  # stays signed in here
    assert tablet.get("/").status_code == 302  # signed out elsewhere
    post_form(phone, "/logout", {})
    assert sign_in(phone, world.staff.email, NEW_PASSWORD).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "auth.password_changed" in actions


def test_changing_password_explains_each_problem(client, signed_in, world):
    signed_in(world.staff)
    wrong = _change_password(client, current="not it").get_data(as_text=True)
    assert "That is not your current password." in wrong
    weak = _change_password(client, new="password1", again="password1").get_data(as_text=True)
    assert "too easy to guess" in weak
    differ = _change_password(client, again="something else").get_data(as_text=True)
    assert "The two new passwords are different." in differ
    assert PASSWORD not in wrong and NEW_PASSWORD not in differ


def test_adding_a_person_with_a_guessable_password_is_refused(client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client,
        "/people/new",
        {
            "name": "Ada New",
            "email": "ada@willow.example.org",
            "role": "staff",
            "service_id": str(world.willow.id),
            "password": "password123",
        },
        page_url="/people/new",
    )
    assert "too easy to guess" in response.get_data(as_text=True)


def test_create_user_command_refuses_a_guessable_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "a@b.org", "--name", "A", "--organisation", "O",
              "--service", "S", "--password", "qwerty123"]
    )  # fmt: skip
    assert result.exit_code != 0 and "too easy to guess" in result.output


def _turn_on_two_step(app, client) -> tuple[str, list[str]]:
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "<svg" in page and "<script>" not in page and " style=" not in page
    secret = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    response = post_form(
        client, "/account/two-step", {"code": pyotp.TOTP(secret).now()},
        page_url="/account/two-step",
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert "Two-step sign-in is on" in body
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", body)
    assert len(codes) == 10
    return secret, codes


def _second_step(client, code: str):
    page = client.get("/login/two-step")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login/two-step", data={"code": code, "csrf_token": token})


def test_manager_turns_on_two_step_sign_in_and_then_needs_a_code(app, client, signed_in, world):
    signed_in(world.manager)
    secret, codes = _turn_on_two_step(app, client)
    post_form(client, "/logout", {})

    first = sign_in(client, world.manager.email)
    assert first.headers["Location"].startswith("/login/two-step")
    assert client.get("/").status_code == 302  # the password alone does not sign in
    assert "That code did not work" in _second_step(client, "000000").get_data(as_text=True)
    # Use the code of the next 30-second step, so it cannot be the one used to turn it on.
    totp = pyotp.TOTP(secret)
    with app.app_context():
        step = db.session.get(User, world.manager.id).totp_last_step
    assert _second_step(client, totp.generate_otp(step + 1)).status_code == 302
    assert client.get("/").status_code == 200

    # The same code never works twice.
    post_form(client, "/logout", {})
    sign_in(client, world.manager.email)
    assert _second_step(client, totp.generate_otp(step + 1)).status_code == 200
    assert client.get("/").status_code == 302

    # A recovery code works once.
    assert _second_step(client, codes[0].upper()).status_code == 302
    post_form(client, "/logout", {})
    sign_in(client, world.manager.email)
    assert _second_step(client, codes[0]).status_code == 200
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert codes[0] not in stored and len(stored) == 10


def test_staff_are_not_offered_two_step_sign_in(client, signed_in, world):
    signed_in(world.staff)
    assert "Two-step sign-in" not in client.get("/account").get_data(as_text=True)
    assert client.get("/account/two-step").status_code == 403


def test_second_step_without_a_first_sends_you_to_sign_in(client, world):
    response = client.get("/login/two-step")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_turning_off_two_step_needs_the_password(app, client, signed_in, world):
    signed_in(world.admin)
    _turn_on_two_step(app, client)
    post_form(client, "/account/two-step/off", {"password": "wrong"}, page_url="/account")
    with app.app_context():
        assert db.session.get(User, world.admin.id).two_step_on
    post_form(client, "/account/two-step/off", {"password": PASSWORD}, page_url="/account")
    with app.app_context():
        assert not db.session.get(User, world.admin.id).two_step_on
        assert db.session.scalars(select(RecoveryCode)).all() == []


def test_admin_signs_someone_out_everywhere_and_it_is_audited(app, world):
    carer, admin = app.test_client(), app.test_client()
    sign_in(carer, world.staff.email)
    sign_in(admin, world.admin.email)
    page = admin.get(f"/people/{world.staff.id}").get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = post_form(admin, f"/people/{world.staff.id}/end-sessions", {}, follow_redirects=True)
    assert "signed out on every device" in response.get_data(as_text=True)
    assert carer.get("/").status_code == 302
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "person.sessions_ended")
        ).one()
        assert entry.actor_id == world.admin.id and entry.record_id == world.staff.id


def test_managers_do_not_get_the_sign_out_everywhere_button(client, signed_in, world):
    signed_in(world.manager)
    assert "Sign out everywhere" not in client.get(f"/people/{world.staff.id}").get_data(
        as_text=True
    )


def test_absolute_timeout_ends_a_busy_session(app, client, world):
    sign_in(client, world.staff.email)
    assert client.get("/").status_code == 200
    before = app.config["SESSION_ABSOLUTE_HOURS"]
    app.config["SESSION_ABSOLUTE_HOURS"] = -1
    try:
        assert client.get("/").status_code == 302
    finally:
        app.config["SESSION_ABSOLUTE_HOURS"] = before
    with app.app_context():
        assert db.session.scalars(select(SignInSession.ended_at)).one() is not None


def test_timeouts_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("SESSION_ABSOLUTE_HOURS", "8")
    configured = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"}
    )
    assert configured.config["SESSION_IDLE_MINUTES"] == 15
    assert configured.config["SESSION_ABSOLUTE_HOURS"] == 8


def test_production_cookies_are_host_prefixed_secure_and_httponly(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("APP_BASE_URL", "https://learnloop.example.org")
    production = create_app({"ENV_NAME": "production"})
    assert production.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert production.config["REMEMBER_COOKIE_NAME"] == "__Host-remember"
    client = production.test_client()
    response = client.get("/login", base_url="https://learnloop.example.org")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain=" not in cookie


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://learnloop.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=63072000")


def test_personal_pages_are_never_stored(client, signed_in, world):
    signed_in(world.admin)
    for url in ("/account", "/account/password", "/people", f"/people/{world.staff.id}",
                "/admin/audit"):  # fmt: skip
        assert client.get(url).headers["Cache-Control"] == "no-store", url
