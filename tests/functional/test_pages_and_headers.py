"""Health check, security headers, friendly error pages and role-aware navigation."""

from __future__ import annotations

from app import create_app
from app.security import CONTENT_SECURITY_POLICY


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    unreachable = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "k",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-folder/db.sqlite3",
        }
    )
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_every_page_carries_the_strict_security_headers(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_never_cached(client, signed_in, world):
    signed_in(world.staff)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client, signed_in, world):
    signed_in(world.manager)
    for url in ("/", "/people", "/people/new"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body and "<style" not in body and " style=" not in body


def test_unknown_page_is_friendly_and_leaks_nothing(client):
    response = client.get("/no-such-page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "We cannot find that page" in body
    assert "Traceback" not in body


def test_server_error_is_friendly_and_leaks_nothing(tmp_path):
    fragile = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "k",
            "PROPAGATE_EXCEPTIONS": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3",
        }
    )

    @fragile.get("/_test/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = fragile.test_client().get("/_test/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in body
    assert "secret internals" not in body


def test_navigation_fits_the_role(client, signed_in, world):
    signed_in(world.staff)
    staff_home = client.get("/").get_data(as_text=True)
    assert 'href="/people"' not in staff_home


def test_manager_navigation_offers_people_admin(app, world):
    from tests.conftest import sign_in

    manager = app.test_client()
    sign_in(manager, "manager@willow.example.org")
    assert 'href="/people"' in manager.get("/").get_data(as_text=True)


def test_body_carries_the_csrf_token_for_htmx(client, signed_in, world):
    signed_in(world.staff)
    body = client.get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert '"allowEval":false' in body
