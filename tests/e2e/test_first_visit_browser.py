"""A new phone's first visit stays light: the service worker's install does not download again
the files the page has just loaded."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_worker_install_does_not_download_again_what_the_page_loaded(make_page, demo):
    page = make_page()
    fetched = []
    page.context.on("requestfinished", lambda request: fetched.append(request))
    page.goto("/login")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_load_state("networkidle")
    by_page = {_path(r.url) for r in fetched if not r.service_worker}
    precache = [r for r in fetched if r.service_worker and r.resource_type == "fetch"]
    again = [r for r in precache if _path(r.url) in by_page]
    assert {"/static/css/app.css", "/static/js/pwa.js"} <= {_path(r.url) for r in again}
    # Asked whether they changed (If-None-Match), answered with headers alone (304).
    for request in again:
        assert "if-none-match" in request.all_headers(), request.url
        assert request.sizes()["responseBodySize"] == 0, request.url
    # What the page had not loaded comes whole, once.
    assert any(request.sizes()["responseBodySize"] > 0 for request in precache)
