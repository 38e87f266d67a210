"""Benchmarks 5 and 6 and the JavaScript weight, in Debian's Chromium driven by Playwright.

5. `/report` opened from the service worker's cache with no connection, against the same page
   online (on this machine, and on a throttled "slow 3G" connection): a care worker on a bus
   should get the form at once, not after the signal comes back.
6. 500 drafts put into the outbox through the app's own outbox module while offline; back
   online, the app drains them the way it always does (the browser's `online` event). Timed
   until the outbox is empty, then the database is counted by client_id: none lost, none doubled.

The browser signs in and waits for the service worker with the end-to-end tests' own helpers,
so the bench and the tests agree on what "installed and cached" means.
"""

from __future__ import annotations

import statistics
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the end-to-end tests' helpers

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in  # noqa: E402
from tests.e2e.test_offline_browser import STORED, wait_for_service_worker  # noqa: E402

OUTBOX_NOTE = "learnloop-outbox"  # what app/static/js/outbox-ui.js notes for later pages

# Chrome DevTools' "Slow 3G" preset: 400 kbit/s each way, 2 s round trip.
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}

# Resolves with the open page's navigation timings (ms from navigation start) once it has loaded.
NAVIGATION_TIMES = """() => new Promise((done) => {
  const read = () => {
    const [nav] = performance.getEntriesByType("navigation");
    if (nav && nav.loadEventEnd > 0) {
      done({ dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
             fromWorker: navigator.serviceWorker.controller !== null });
    } else {
      setTimeout(read, 20);
    }
  };
  read();
})"""

# Saves `count` report drafts through the app's outbox module, exactly as a form saved offline
# does; resolves with their client ids and how many the outbox then holds for this person.
SAVE_DRAFTS = """async ({ count, prefix }) => {
  const outbox = await import("/static/js/outbox.js");
  const clientIds = [];
  for (let i = 0; i < count; i += 1) {
    const entry = await outbox.save({
      endpoint: "/api/v1/reports",
      label: "Report",
      formUrl: "/report",
      body: {
        description: `${prefix} ${i + 1}: a near miss with the hoist sling, caught in time.`,
        kind: "near_miss",
        category: "falls",
        time_bracket: "night_shift",
      },
    });
    clientIds.push(entry.clientId);
  }
  return { clientIds, waiting: await outbox.count(await outbox.currentUserId()) };
}"""

# From the browser's next `online` event, polls the outbox until it is empty (or `limitMs`
# passes); `window.benchDrain` resolves with the elapsed milliseconds and what is left.
WATCH_DRAIN = """(limitMs) => {
  window.benchDrain = new Promise((done) => {
    addEventListener("online", async () => {
      const outbox = await import("/static/js/outbox.js");
      const me = await outbox.currentUserId();
      const start = performance.now();
      for (;;) {
        const left = await outbox.count(me);
        const elapsed = performance.now() - start;
        if (left === 0 || elapsed > limitMs) {
          const states = (await outbox.entriesFor(me)).map((entry) => entry.state);
          done({ ms: elapsed, left, states: [...new Set(states)] });
          return;
        }
        await new Promise((next) => setTimeout(next, 25));
      }
    }, { once: true });
  });
}"""


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def available() -> str | None:
    """Why the browser benchmarks cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not at {CHROMIUM}"
    return None


def _median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in ("dcl", "load")}


def _timed_loads(page, path: str, loads: int) -> dict:
    """Median navigation timings of `loads` fresh navigations to `path` (from a blank page,
    so each is a whole page load, never the back-forward cache)."""
    runs = []
    for _ in range(loads):
        page.goto("about:blank")
        page.goto(path, wait_until="load")
        assert page.get_by_role("heading", level=1).inner_text() == "Report something"
        runs.append(page.evaluate(NAVIGATION_TIMES))
    result = _median(runs)
    result["fromWorker"] = all(run["fromWorker"] for run in runs)
    return result


def _report_page_signed_in(browser, base: str, email: str, password: str):
    """A phone-sized tab, signed in, on `/report` with the service worker in charge."""
    context = browser.new_context(base_url=base, viewport=PHONE)
    page = context.new_page()
    sign_in(page, email, password)
    page.goto("/report")
    wait_for_service_worker(page)
    return context, page


def offline_load(base: str, email: str, password: str, loads: int = 10) -> dict:
    """Median ms from navigation start to DOMContentLoaded and to load for `/report`: offline
    from the service worker's cache, online on this machine, and online on slow 3G."""
    with chromium() as browser:
        context, page = _report_page_signed_in(browser, base, email, password)
        page.reload()  # a visit the worker sees, so it keeps the page
        if not page.evaluate(STORED, "/report"):
            raise RuntimeError("/report was never kept for offline use")
        results = {"online": _timed_loads(page, "/report", loads)}
        context.set_offline(True)
        results["offline"] = _timed_loads(page, "/report", loads)
        context.set_offline(False)
        results["slow 3G"] = _slow_3g_loads(browser, base, context.cookies(), max(3, loads // 2))
        context.close()
    results["loads"] = loads
    return results


def _slow_3g_loads(browser, base: str, cookies: list, loads: int) -> dict:
    """The same page on slow 3G, for comparison. Chromium's throttling reaches the page but
    not a service worker's own fetches, so this browser has no worker: every load is the
    network's (static files from the HTTP cache after the first visit, as for any site)."""
    context = browser.new_context(base_url=base, viewport=PHONE, service_workers="block")
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto("/report")  # fills the HTTP cache, as an earlier visit would have
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    result = _timed_loads(page, "/report", loads)
    context.close()
    return result


def outbox_drain(base: str, email: str, password: str, count_reports, drafts: int = 500) -> dict:
    """Put `drafts` report drafts in the outbox offline, go online, time the drain, then count
    them in the database. `count_reports(client_ids, prefix)` answers (rows, distinct ids)."""
    prefix = f"Outbox bench {uuid.uuid4().hex[:8]}"
    with chromium() as browser:
        context, page = _report_page_signed_in(browser, base, email, password)
        context.set_offline(True)
        started = time.monotonic()
        saved = page.evaluate(SAVE_DRAFTS, {"count": drafts, "prefix": prefix})
        save_seconds = time.monotonic() - started
        page.evaluate(WATCH_DRAIN, 120_000)
        context.set_offline(False)  # the browser fires `online`; the app sends by itself
        drained = page.evaluate("() => window.benchDrain")
        badge = page.locator("[data-outbox-count]").inner_text()
        context.close()
    rows, distinct = count_reports(saved["clientIds"], prefix)
    seconds = drained["ms"] / 1000
    return {
        "drafts": drafts,
        "saved": saved["waiting"],
        "save_seconds": save_seconds,
        "seconds": seconds,
        "per_second": drafts / seconds if seconds else 0.0,
        "left": drained["left"],
        "states": drained["states"],
        "badge": badge,
        "rows": rows,
        "distinct": distinct,
    }


# What a first visit fetches is listed by the browser; each script is then fetched again asking
# for brotli, and for gzip, to weigh both.
def script_weights(base: str, path: str, email: str | None, password: str) -> dict:
    """The JavaScript files a signed-in person's first visit to `path` fetches with nothing in
    the browser's caches (the page's scripts and the modules they import; not the service
    worker's own downloads), and those that follow once they start on a form that saves
    offline. Each with its brotli and gzip bytes. With no `email`, the visit is signed out."""
    with chromium() as browser:
        state = None
        if email:
            context = browser.new_context(base_url=base, viewport=PHONE)
            page = context.new_page()
            sign_in(page, email, password)
            page.wait_for_function(f"() => localStorage.getItem({OUTBOX_NOTE!r}) !== null")
            state = context.storage_state()  # the sign-in cookie and what the app noted
            context.close()
        context = browser.new_context(base_url=base, viewport=PHONE, storage_state=state)
        page = context.new_page()
        scripts: list[str] = []
        page.on(
            "request",
            lambda request: request.resource_type == "script" and scripts.append(request.url),
        )
        page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        first = list(dict.fromkeys(scripts))
        field = page.locator("form[data-outbox] textarea")
        if field.count():
            field.first.press("M")  # starts writing
            page.wait_for_timeout(500)
            page.wait_for_load_state("networkidle")
        later = [url for url in dict.fromkeys(scripts) if url not in first]
        context.close()
    return {"first": _weigh(base, first), "on_form": _weigh(base, later)}


def _weigh(base: str, urls: list[str]) -> list[dict]:
    weights = []
    for url in urls:
        sizes = {}
        for encoding in ("br", "gzip"):
            request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (ours)
                sizes[encoding] = len(response.read())
        weights.append({"path": url.removeprefix(base), **sizes})
    return weights
