"""Pages and static files travel compressed, for phones on a weak signal."""

from __future__ import annotations


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    response = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Vary"].lower().find("accept-encoding") >= 0


def test_stylesheet_is_compressed_and_cacheable(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=3600" in response.headers["Cache-Control"]


def test_plain_clients_still_get_plain_text(client):
    response = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert "Sign in" in response.get_data(as_text=True)


def test_seed_bulk_generates_reports_across_services(app):
    result = app.test_cli_runner().invoke(args=["seed-bulk", "--reports", "500", "--services", "5"])
    assert result.exit_code == 0, result.output
    assert "500 reports in the database" in result.output
    again = app.test_cli_runner().invoke(args=["seed-bulk", "--reports", "100", "--services", "5"])
    assert "600 reports in the database" in again.output
