"""A first visit counted whole: the page, its assets, and all the service worker fetches to
install, as they crossed the network.

A care worker on a new phone (empty caches, no service worker) who has just signed in opens
`/report`. Chromium (Debian's, driven by Playwright) loads the page through nginx over HTTPS;
the service worker registers, installs (precaching the app's files) and takes control. Every
request the page and the worker made is counted once per fetch, with what Chromium itself says
it received for it (`Request.sizes()`, from `Network.loadingFinished`), split into the body (as
its Content-Length announces, compressed) and the headers. So a file fetched twice counts
twice, a revalidation the server answered 304 counts its headers only, and an answer from the
browser's HTTP cache or from the service worker's cache counts nothing: none of it crossed the
network.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the end-to-end tests' helpers

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402

SCRIPT_TYPES = ("javascript", "ecmascript")
PAGE, WORKER = "page", "service worker"
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


def trust_flag(cert: str) -> str:
    """Chromium's flag to trust the run's self-signed certificate as a phone trusts a real
    one. Not `--ignore-certificate-errors`: Chromium keeps nothing in its HTTP cache from a
    site whose certificate it had to overlook, so every file would be downloaded afresh."""
    import base64
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = x509.load_pem_x509_certificate(Path(cert).read_bytes()).public_key()
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    return f"--ignore-certificate-errors-spki-list={pin}"


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
    """Every fetch a first visit to `path` made (page and worker), with the bytes each brought
    over the network, grouped by address, and the totals."""
    from playwright.sync_api import sync_playwright

    cookies = _signed_in_cookies(base, cert, email, password)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trust_flag(cert)]
        )
        try:
            context = browser.new_context(base_url=base, viewport=PHONE, service_workers="allow")
            context.add_cookies(cookies)
            requests = []
            context.on("requestfinished", lambda request: requests.append(request))
            page = context.new_page()
            page.goto(path, wait_until="load")
            if not page.evaluate(INSTALLED):
                raise RuntimeError("the service worker did not finish installing")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)  # the last answers' byte counts
            weigh = _weigher(cert, cookies)
            fetches = [_fetch(base, request, weigh) for request in requests]
            context.close()
        finally:
            browser.close()
    return summarise([f for f in fetches if f])


def _fetch(base: str, request, weigh) -> dict | None:
    """One fetch of our site and what it brought over the network, or None: another site, or
    a page request the service worker answered (the worker's own fetch for it, if it made one,
    is a fetch of its own).

    The count is Chromium's for the fetch (`Network.loadingFinished`: headers and body as
    received). When it is smaller than the body the headers announce, the body never came: a
    revalidation answered 304, or the browser's cache. Chromium reports no count for the
    worker's own scripts (sw.js and what it imports with importScripts); on a new phone none of
    them is in any cache, so each is weighed as the server sends it."""
    if not request.url.startswith(base):
        return None
    response = request.response()
    if response is None or response.from_service_worker:
        return None
    sizes = request.sizes()
    received = max(0, sizes["responseBodySize"] + sizes["responseHeadersSize"])
    shown = response.headers  # the answer as the page or worker saw it, a cached body's too
    length = int(shown.get("content-length") or 0)
    # What came over the wire lacks the body's headers when the server answered 304.
    revalidated = "content-type" in shown and "content-type" not in response.all_headers()
    status = response.status
    if request.service_worker and request.resource_type != "fetch":
        body = length or weigh(request)
        headers = max(0, received - body)
    elif revalidated or status == 304 or received < length:
        body, headers = 0, received
        status = 304 if received else "cache"
    else:
        body = length or received
        headers = received - body
    kind = shown.get("content-type", "").split(";")[0]
    return {
        "path": request.url.removeprefix(base),
        "by": WORKER if request.service_worker else PAGE,
        "status": status,
        "encoding": shown.get("content-encoding", "none"),
        "body": body,
        "headers": headers,
        "script": any(word in kind for word in SCRIPT_TYPES),
    }


def _weigher(cert: str, cookies: list[dict]):
    """Fetch a request's address again as Chromium asked for it (its Accept-Encoding, the same
    cookies) and count the body as sent, still compressed."""
    import requests

    http = requests.Session()
    http.verify = cert
    http.trust_env = False
    for cookie in cookies:
        http.cookies.set(cookie["name"], cookie["value"], path=cookie["path"])

    def weigh(request) -> int:
        encoding = request.all_headers().get("accept-encoding", "gzip, deflate, br")
        answer = http.get(
            request.url, headers={"Accept-Encoding": encoding}, stream=True, timeout=60
        )
        return len(answer.raw.read(decode_content=False))

    return weigh


def summarise(fetches: list[dict]) -> dict:
    """Fetches grouped by address (who fetched it, each answer's status), and the totals:
    `total` is every body byte received, `headers` the response headers on top."""
    files: dict[str, dict] = {}
    for fetch in fetches:
        file = files.setdefault(
            fetch["path"],
            {"path": fetch["path"], "by": [], "statuses": [], "encoding": fetch["encoding"],
             "bytes": 0, "headers": 0, "script": fetch["script"]},
        )  # fmt: skip
        file["by"].append(fetch["by"])
        file["statuses"].append(fetch["status"])
        file["bytes"] += fetch["body"]
        file["headers"] += fetch["headers"]
        file["script"] |= fetch["script"]
    total = sum(f["body"] for f in fetches)
    page = sum(f["body"] for f in fetches if f["by"] == PAGE)
    return {
        "files": list(files.values()),
        "fetches": len(fetches),
        "total": total,
        "script": sum(f["body"] for f in fetches if f["script"]),
        "page": page,
        "worker": total - page,
        "headers": sum(f["headers"] for f in fetches),
        "refetched": sum(
            f["body"] for f in fetches if f["by"] == WORKER and PAGE in files[f["path"]]["by"]
        ),
        "images": sum(f["body"] for f in fetches if f["path"].endswith(".png")),
    }
