"""The installable app's own files: manifest, service worker, offline and outbox pages."""

from __future__ import annotations

from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor"


def test_manifest_makes_learnloop_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["short_name"] == "LearnLoop"
    assert manifest["display"] == "standalone"
    assert manifest["id"] and manifest["start_url"] == "/"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert [s["url"] for s in manifest["shortcuts"]] == ["/report", "/reflect", "/library"]


def test_every_page_links_the_manifest_and_apple_icon(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'rel="apple-touch-icon"' in page
    assert 'name="theme-color"' in page


@pytest.mark.skipif(not (VENDOR / "sw.js").exists(), reason="assets not built (make setup)")
def test_service_worker_is_served_at_the_root_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert '"url":"/offline"' in source and "self.__WB_MANIFEST" not in source


def test_offline_and_outbox_pages_hold_nothing_about_the_person(signed_in, world):
    client = signed_in(world.manager)
    for url in ("/offline", "/outbox"):
        page = client.get(url).get_data(as_text=True)
        assert world.manager.name not in page
        assert "csrf_token" not in page and "Sign out" not in page
        assert 'name="learnloop-user"' not in page


def test_personal_pages_are_never_stored(signed_in, world):
    client = signed_in(world.staff)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/session").headers["Cache-Control"] == "no-store"
