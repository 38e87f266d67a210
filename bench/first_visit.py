"""A first visit counted whole: the page, its assets, and all the service worker fetches to
install, compressed as nginx serves them.

A care worker on a new phone (empty caches, no service worker) who has just signed in opens
`/report`. Chromium (Debian's, driven by Playwright) loads the page through nginx over HTTPS;
the service worker registers, installs (precaching the app's files) and takes control. Every
request the page and the worker made is listed, each address once, and each is then fetched
again with the same cookies asking for `br, gzip` (what Chromium asks over HTTPS) and weighed
as it came: compressed bytes of the body, as on the wire less the headers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the end-to-end tests' helpers

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402

SCRIPT_TYPES = ("javascript", "ecmascript")
# Resolves once the service worker has finished installing (its precache filled) and is
# activated; the page is not reloaded, as a person's first visit is not.
INSTALLED = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== "activated") {
    await new Promise((done) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") done();
    }));
  }
  return true;
}"""


def available() -> str | None:
    """Why this cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not at {CHROMIUM}"
    return None


def _signed_in_cookies(base: str, cert: str, email: str, password: str) -> list[dict]:
    """Sign in with a plain HTTP client, so the browser's first page is the one measured."""
    from misses import Person

    person = Person(base, cert, email, password)
    host = urlsplit(base).hostname
    return [
        {"name": c.name, "value": c.value, "domain": host, "path": c.path or "/",
         "secure": bool(c.secure), "httpOnly": True, "sameSite": "Lax"}
        for c in person.http.cookies
    ]  # fmt: skip


def first_visit(base: str, cert: str, path: str, email: str, password: str) -> dict:
    """Every address a first visit to `path` fetched (page and worker), with its compressed
    bytes as served, and the totals."""
    from playwright.sync_api import sync_playwright

    cookies = _signed_in_cookies(base, cert, email, password)
    seen: dict[str, list[str]] = {}  # address -> who fetched it, each time ("page", "worker")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--ignore-certificate-errors"]
        )
        try:
            context = browser.new_context(
                base_url=base, viewport=PHONE, ignore_https_errors=True, service_workers="allow"
            )
            context.add_cookies(cookies)

            def note(request) -> None:
                if request.method != "GET" or not request.url.startswith(base):
                    return
                who = "service worker" if request.service_worker else "page"
                seen.setdefault(request.url, []).append(who)

            context.on("request", note)
            page = context.new_page()
            page.goto(path, wait_until="load")
            if not page.evaluate(INSTALLED):
                raise RuntimeError("the service worker did not finish installing")
            page.wait_for_load_state("networkidle")
            context.close()
        finally:
            browser.close()
    return _weigh(base, cert, cookies, seen)


def _weigh(base: str, cert: str, cookies: list[dict], seen: dict[str, list[str]]) -> dict:
    """Each address weighed once, counted as often as it was fetched: the worker's install
    asks again (`cache: reload`) for files the page had already loaded."""
    http = requests.Session()
    http.verify = cert
    http.trust_env = False
    for cookie in cookies:
        http.cookies.set(cookie["name"], cookie["value"], path=cookie["path"])
    files = []
    for url, fetchers in seen.items():
        answer = http.get(url, headers={"Accept-Encoding": "br, gzip"}, stream=True, timeout=60)
        body = answer.raw.read(decode_content=False)  # the bytes as sent, still compressed
        kind = answer.headers.get("Content-Type", "").split(";")[0]
        files.append(
            {
                "path": url.removeprefix(base),
                "by": fetchers[0],
                "fetches": len(fetchers),
                "also_by_worker": fetchers[0] == "page" and "service worker" in fetchers,
                "bytes": len(body),
                "encoding": answer.headers.get("Content-Encoding", "none"),
                "script": any(word in kind for word in SCRIPT_TYPES),
                "status": answer.status_code,
            }
        )
    total = sum(f["bytes"] * f["fetches"] for f in files)
    script = sum(f["bytes"] * f["fetches"] for f in files if f["script"])
    by_page = sum(f["bytes"] for f in files if f["by"] == "page")
    return {
        "files": files,
        "total": total,
        "script": script,
        "page": by_page,
        "worker": total - by_page,
        "once": sum(f["bytes"] for f in files),
    }
