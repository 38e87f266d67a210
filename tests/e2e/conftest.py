"""Real-browser tests: Playwright drives Debian's Chromium against the app on a live server.

Every page a test visits is checked the same way (see `checked_page`): no console errors,
no Content-Security-Policy violations, and no serious or critical axe findings.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from app.seed import seed_demo

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_axe = Axe()


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must run the browser tests.")
        pytest.skip(f"Chromium not found at {CHROMIUM}: browser tests skipped")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo(app):
    """The demo organisation and logins, as `make run` seeds them."""
    with app.app_context():
        seed_demo()
        db.session.remove()


class PageProblems:
    """Console errors and CSP violations seen on a page, gathered as they happen."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")


def assert_accessible(page) -> None:
    """Fail on serious or critical axe-core findings for the page as it is now."""
    results = _axe.run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert not serious, results.generate_report()


@pytest.fixture(scope="session")
def _no_connection_crosses_the_fork(app):
    """Empty the connection pool before the live server's process is forked from this one.

    A pooled connection inherited by the server would be shared by two processes: PostgreSQL
    then mixes up their prepared statements, and SQLite can lose writes to its WAL file.
    """
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_page(browser, _no_connection_crosses_the_fork, live_server):
    """make_page(viewport) opens a fresh browser context (no shared cookies) on the live server."""
    contexts = []
    problems: list[PageProblems] = []
    base_url = live_server.url()

    def _make(viewport=PHONE, **options):
        context = browser.new_context(viewport=viewport, base_url=base_url, **options)
        contexts.append(context)
        page = context.new_page()
        problems.append(PageProblems(page))
        return page

    yield _make
    for context in contexts:
        context.close()
    found = [error for p in problems for error in p.errors]
    assert not found, "\n".join(found)


def sign_in(page, email: str, password: str = "learnloop-demo") -> None:  # noqa: S107
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def open_menu(page) -> None:
    """On a phone, open the header's "Menu": every link but Report, and Sign out, sit behind it.
    Does nothing on wide screens, where Sign out shows and the links sit in their groups."""
    nav = page.get_by_role("navigation", name="Main")
    menu = nav.locator("details.site-nav__menu")
    summary = menu.locator("summary")
    if summary.is_visible() and menu.get_attribute("open") is None:
        summary.click()


def follow_menu_link(page, name: str) -> None:
    """Follow the menu link `name` as a person would: open a phone's "Menu", or on a wide
    screen the group (Capture, Practice, Learning, Oversight) that holds it, then click it."""
    nav = page.get_by_role("navigation", name="Main")
    open_menu(page)
    exact = re.compile(f"^{re.escape(name)}$")
    for group in nav.locator("details.site-nav__group").all():
        if group.is_visible() and group.locator("a", has_text=exact).count():
            if group.get_attribute("open") is None:
                group.locator("summary").click()
            break
    nav.get_by_role("link", name=name, exact=True).click()
