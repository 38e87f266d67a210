"""The installable app's own files: manifest, service worker, offline and outbox pages."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Service
from tests.functional.learning_data import article

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


# Pages a phone opens offline: the two shells, and the offline copies the service worker keeps
# (app/pwa/offline.py's OFFLINE_COPY_ENDPOINTS).
OFFLINE_SHELLS = ("/offline", "/outbox")
OFFLINE_COPIES = ("/report", "/reflect", "/observe", "/library", "/library/offline-reading")
LOADED = re.compile(
    r'<script[^>]* src="(/static/[^"]+)"|<link[^>]* href="(/static/[^"]+\.(?:css|svg))"'
    r'|<img[^>]* src="(/static/[^"]+)"'
)
SCRIPT_IMPORTS = re.compile(r"""["'](/static/[^"']+\.js)["']""")
CSS_URLS = re.compile(r"""url\(["']?([^"')]+)["']?\)""")


def _files_loaded_by(page: str) -> set[str]:
    """The static files a page loads, with what its scripts import and its CSS points at."""
    found = {next(url for url in match if url) for match in LOADED.findall(page)}
    waiting = list(found)
    while waiting:
        url = waiting.pop()
        path = VENDOR.parent / url.removeprefix("/static/")
        more = set()
        if url.endswith(".js"):
            more = set(SCRIPT_IMPORTS.findall(path.read_text()))
        elif url.endswith(".css"):
            more = {
                posixpath.normpath(posixpath.join(posixpath.dirname(url), ref))
                for ref in CSS_URLS.findall(path.read_text())
                if not ref.startswith("data:")
            }
        waiting += more - found
        found |= more
    return found


@pytest.mark.skipif(not (VENDOR / "sw.js").exists(), reason="assets not built (make setup)")
def test_every_file_a_page_opened_offline_loads_is_kept_by_the_service_worker(
    app, client, signed_in, world
):
    with app.app_context():
        article(db.session.get(Service, world.willow.id), "offline-reading")
        db.session.commit()
    kept = set(re.findall(r'"url":"([^"]+)"', (VENDOR / "sw.js").read_text()))
    signed_in(world.supervisor)
    needed = set()
    for url in OFFLINE_SHELLS + OFFLINE_COPIES:
        response = client.get(url, headers={"X-LearnLoop-Offline-Copy": "1"})
        assert response.status_code == 200, url
        needed |= _files_loaded_by(response.get_data(as_text=True))
    assert {"/static/js/outbox.js", "/static/vendor/idb/index.js"} <= needed
    assert sorted(needed - kept) == []
    # A new phone downloads the whole precache while the worker installs: no PNG icons (the
    # browser fetches the manifest's itself when the app is added to a home screen).
    assert not [url for url in kept if url.endswith(".png")]
