"""Signing in and out, throttling of failed attempts, CSRF, and server-side session endings."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.views import SIGN_IN_FAILED
from app.extensions import db
from app.models import SignInSession, User
from tests.conftest import PASSWORD, csrf_token_from, post_form, sign_in


def test_signed_out_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_staff_signs_in_and_sees_their_home_page(client, world):
    response = sign_in(client, "carer@willow.example.org")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Hello, Carer" in home.get_data(as_text=True)


def test_email_is_matched_whatever_its_case(client, world):
    response = sign_in(client, "  Carer@Willow.Example.ORG ")
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, world):
    wrong = sign_in(client, "carer@willow.example.org", "not the password")
    unknown = sign_in(client, "nobody@willow.example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert SIGN_IN_FAILED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_person_cannot_sign_in(app, client, world):
    with app.app_context():
        db.session.get(User, world.staff.id).active = False
        db.session.commit()
    response = sign_in(client, "carer@willow.example.org")
    assert SIGN_IN_FAILED in response.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused_and_nothing_is_offered_again(client, world):
    response = client.post(
        "/login", data={"email": "carer@willow.example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "That was not saved" in body
    assert "carer@willow.example.org" not in body  # posted values are never shown back
    assert PASSWORD not in body
    assert "<form" not in body.split("<main", 1)[-1].split("</main>")[0]
    assert client.get("/").status_code == 302


def test_stale_csrf_token_from_our_own_page_goes_back_there_with_a_message(client, world):
    response = client.post(
        "/login",
        data={"email": "carer@willow.example.org", "password": PASSWORD, "csrf_token": "stale"},
        headers={"Referer": "http://localhost/login?next=/reports"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/reports"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "we did not save that" in page
    assert "carer@willow.example.org" not in page


def test_repeated_failures_for_one_account_are_throttled(client, world):
    for _ in range(5):
        assert sign_in(client, "carer@willow.example.org", "guess").status_code == 200
    blocked = sign_in(client, "carer@willow.example.org", PASSWORD)
    assert blocked.status_code == 429
    assert "Please wait" in blocked.get_data(as_text=True)
    assert "minute" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this one's failures.
    assert sign_in(client, "manager@willow.example.org").status_code == 302


def test_successful_sign_ins_from_a_shared_tablet_are_never_throttled(client, world):
    for _ in range(40):
        assert sign_in(client, "carer@willow.example.org").status_code == 302
        post_form(client, "/logout", {})


def test_failures_from_one_address_across_accounts_are_throttled(app, client, world):
    before = app.config["LOGIN_FAILURES_PER_ADDRESS"]
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "3 per 15 minutes"
    try:
        for index in range(3):
            sign_in(client, f"guess{index}@willow.example.org", "guess")
        assert sign_in(client, "carer@willow.example.org").status_code == 429
    finally:
        app.config["LOGIN_FAILURES_PER_ADDRESS"] = before


def test_logout_ends_the_session_on_the_server(app, client, world):
    sign_in(client, "carer@willow.example.org")
    cookie = client.get_cookie("session")
    assert post_form(client, "/logout", {}).status_code == 302
    # Replaying the old cookie does not bring the login back.
    client.set_cookie("session", cookie.value)
    assert client.get("/").status_code == 302
    with app.app_context():
        open_sessions = db.session.scalars(
            select(SignInSession).where(SignInSession.ended_at.is_(None))
        ).all()
        assert open_sessions == []


def test_logout_needs_a_post(client, signed_in, world):
    signed_in(world.staff)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_each_sign_in_gets_a_new_session(app, client, world):
    sign_in(client, "carer@willow.example.org")
    first = client.get_cookie("session").value
    post_form(client, "/logout", {})
    sign_in(client, "carer@willow.example.org")
    assert client.get_cookie("session").value != first
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SignInSession)) == 2


def test_idle_session_expires(app, client, world):
    sign_in(client, "carer@willow.example.org")
    app.config["SESSION_IDLE_MINUTES"] = -1
    try:
        assert client.get("/").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 60


def test_remember_me_survives_a_closed_browser_until_logout(app, client, world):
    sign_in(client, "carer@willow.example.org", remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    client.delete_cookie("session")
    assert client.get("/").status_code == 200


def test_next_only_follows_paths_on_this_site(client, world):
    page = client.get("/login?next=https://evil.example/")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": "carer@willow.example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
