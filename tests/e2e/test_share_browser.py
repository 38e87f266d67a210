"""A manager shares the evidence pack in a real browser; an inspector with no account opens it
in another browser context, reads the figures and downloads the PDF; the manager revokes the
link and the inspector's next visit answers 410."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_manager_shares_the_pack_then_revokes_it(make_page, demo):
    manager = make_page(TABLET)
    sign_in(manager, "manager@willow.demo")
    manager.goto("/evidence")
    manager.get_by_role("link", name="Share with inspectors and commissioners").click()
    manager.get_by_role("link", name="Make a share link").click()
    assert_accessible(manager)
    manager.get_by_label("A note to the reader (optional)").fill("For the CQC visit.")
    manager.get_by_label("Days the link works (1 to 30)").fill("7")
    manager.get_by_role("button", name="Check and make the link").click()
    expect(manager.get_by_role("heading", name="Share link made")).to_be_visible()
    expect(manager.locator(".qr-box svg")).to_be_visible()
    assert_accessible(manager)
    link = manager.get_by_label("The link").input_value()
    assert "/shared/" in link
    # Links start with APP_BASE_URL, as in emails; the live server here has a port of its own.
    link = urlsplit(link).path

    inspector = make_page(TABLET)  # a second context: no session, no cookies
    opened = inspector.goto(link)
    assert opened.status == 200
    assert opened.headers["x-robots-tag"] == "noindex, nofollow"
    expect(inspector.get_by_role("heading", name="Reports each month").first).to_be_visible()
    expect(inspector.get_by_text("For the CQC visit.")).to_be_visible()
    assert inspector.locator("a").count() == 0  # nothing leads into LearnLoop
    assert_accessible(inspector)
    with inspector.expect_download() as download:
        inspector.get_by_role("button", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert inspector.context.cookies() == []

    manager.goto("/evidence/shares")
    row = manager.get_by_role("row").filter(has_text="Works until")
    expect(row.get_by_role("cell", name="2", exact=True)).to_be_visible()  # page and PDF
    assert_accessible(manager)
    row.get_by_role("button", name="Revoke").click()
    expect(manager.get_by_text("Link revoked: it no longer opens.")).to_be_visible()

    # The inspector's next visit: 410, with a plain message and still no way into LearnLoop.
    gone = inspector.request.get(link)
    assert gone.status == 410
    assert "This link no longer works" in gone.text()
    assert "<a " not in gone.text()
    assert inspector.context.cookies() == []
