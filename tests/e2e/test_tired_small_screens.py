"""No page a role can open scrolls sideways on a 320 px phone, nor at 200% text on it (a 160 px
wide viewport lays a page out as 320 px at 200% text does: the CSP forbids injecting styles).
Disclosure sections look like something to open and are big enough to tap."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PHONE_320 = {"width": 320, "height": 640}
TEXT_200 = {"width": 160, "height": 640}
SKIP = re.compile(r"^/(logout|static/|sw\.js|manifest|api/|dev/|healthz)|\.(csv|pdf|json)$|print")
MAX_PAGES = 45


def _links_from(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav a[href], main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return [h.split("#")[0] for h in hrefs if h and h.startswith("/") and not SKIP.search(h)]


def _pages_for(page) -> list[str]:
    """Home, every link in the menu and on home, and one level of links from each of those."""
    page.goto("/")
    first = list(dict.fromkeys(["/", *_links_from(page)]))
    found = list(first)
    for path in first:
        page.goto(path)
        for link in _links_from(page):
            if link not in found:
                found.append(link)
    return found[:MAX_PAGES]


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize(
    "email", ["carer@willow.demo", "supervisor@willow.demo", "manager@willow.demo"]
)
def test_no_page_scrolls_sideways_at_320px_or_200_percent_text(make_page, demo, email):
    page = make_page(PHONE_320)
    sign_in(page, email)
    wide = []
    for path in _pages_for(page):
        for viewport in (PHONE_320, TEXT_200):
            page.set_viewport_size(viewport)
            response = page.goto(path)
            if response is None or response.status >= 400:
                continue
            if _sideways(page) > 0:
                wide.append(f"{path} at {viewport['width']} px: {_sideways(page)} px too wide")
        page.set_viewport_size(PHONE_320)
    assert not wide, "\n".join(wide)


def test_disclosure_sections_show_a_chevron_and_a_44px_target(make_page, demo):
    page = make_page(PHONE_320)
    sign_in(page, "manager@willow.demo")
    page.goto("/reports")
    summary = page.locator("summary", has_text="Filter by")
    expect(summary).to_be_visible()
    assert summary.bounding_box()["height"] >= 44
    style = summary.evaluate(
        "s => ({line: getComputedStyle(s).textDecorationLine,"
        " chevron: getComputedStyle(s, '::before').content})"
    )
    assert style["line"] == "underline" and "▸" in style["chevron"]
    summary.click()
    expect(page.get_by_label("Kind of event")).to_be_visible()
