"""Cached pages measured cold and warm, by name: a miss after a write to the service, and a hit.

The dashboard's figures are cached one by one under a key holding the date range and each
covered service's data generation (app/cache.py), which every commit to a service bumps; a
service's reports have a generation of their own, which only the figures that read reports
key on. So:

- a **miss** is a dashboard opened just after a care worker of that service sent a report
  (through the JSON API, as the outbox does): what happens most, all day. Each of the
  connections asks for its own date range, so no connection's rebuild can turn another's
  request into a hit: in every timed request the report figures are built from the database
  (the others, which a report cannot change, come from the cache once built);
- a **hit** is the same dashboard asked for again with nothing written in between (the first
  request of each connection, the one that fills the cache, is not timed).

Each connection is one person's session through nginx, over HTTPS, like a browser's.
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BODY_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Person:
    """A signed-in session through nginx (cookies, CSRF token, Referer as a browser sends)."""

    def __init__(self, base: str, cert: str, email: str, password: str):
        self.base = base
        self.http = requests.Session()
        self.http.verify = cert
        self.http.trust_env = False  # a CA bundle named in the environment would win over ours
        self.http.headers["Accept-Encoding"] = "br, gzip"
        page = self.http.get(base + "/login", timeout=60)
        token = TOKEN.search(page.text).group(1)
        answer = self.http.post(
            base + "/login",
            data={"email": email, "password": password, "csrf_token": token},
            headers={"Referer": base + "/login"},
            timeout=60,
        )
        if answer.url.rstrip("/") != base or answer.status_code != 200:
            raise RuntimeError(f"{email} could not sign in ({answer.status_code} {answer.url})")
        self.csrf = BODY_TOKEN.search(answer.text).group(1)

    def get(self, path: str) -> requests.Response:
        answer = self.http.get(self.base + path, timeout=60)
        answer.raise_for_status()
        return answer

    def send_report(self) -> None:
        answer = self.http.post(
            self.base + "/api/v1/reports",
            json=report_body("falls"),
            headers={"X-CSRFToken": self.csrf, "Referer": self.base + "/report"},
            timeout=60,
        )
        if answer.status_code not in (200, 201):
            raise RuntimeError(f"report refused: {answer.status_code} {answer.text[:200]}")


def report_body(category: str | None = None) -> dict:
    """A care worker's near miss as the outbox sends it through the JSON API; the bench's
    writers (the mixed load, the misses, the page costs) all send this one."""
    return {
        "client_id": str(uuid.uuid4()),
        "device_time": datetime.now(UTC).isoformat(timespec="seconds"),
        "description": "A near miss with the hoist sling, noticed before the transfer.",
        "kind": "near_miss",
        "category": category or random.choice(["falls", "medication", "behaviour"]),  # noqa: S311
        "time_bracket": "unknown",
    }


@dataclass
class Timings:
    """Milliseconds of the timed requests, and their percentiles."""

    ms: list[float]

    @property
    def count(self) -> int:
        return len(self.ms)

    def percentile(self, share: float) -> float:
        if not self.ms:
            return float("nan")
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.ms) if self.ms else float("nan")

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def _in_threads(work, connections: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            for ms in work(index):
                with lock:
                    timings.append(ms)
        except BaseException as error:  # noqa: BLE001 - raised below, in the caller's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return timings


def ranges(months: list[str], connections: int) -> list[str]:
    """One 12-month range per connection, each ending a month earlier than the last."""
    last = len(months) - 1
    picked = []
    for index in range(connections):
        end = max(0, last - index)
        start = max(0, end - 11)
        picked.append(f"start={months[start]}&end={months[end]}")
    return picked


def misses_and_hits(
    readers: list[Person],
    writers: list[Person],
    path: str,
    months: list[str],
    seconds: float,
    hits: bool = True,
) -> tuple[Timings, Timings | None]:
    """Time `path` on a miss (reader i's service written to by writer i just before each
    request) and, unless `hits` is false, on a hit; one connection per reader, `seconds` each."""
    connections = len(readers)
    queries = ranges(months, connections)
    joiner = "&" if "?" in path else "?"

    def miss(index: int):
        deadline = time.monotonic() + seconds
        url = f"{path}{joiner}{queries[index]}"
        while time.monotonic() < deadline:
            writers[index].send_report()
            started = time.perf_counter()
            readers[index].get(url)
            yield (time.perf_counter() - started) * 1000

    def hit(index: int):
        url = f"{path}{joiner}{queries[index]}"
        readers[index].get(url)  # fills the cache: not timed
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            readers[index].get(url)
            yield (time.perf_counter() - started) * 1000

    missed = Timings(_in_threads(miss, connections))
    return missed, Timings(_in_threads(hit, connections)) if hits else None


def warm_up(readers: list[Person], writers: list[Person], path: str, months: list[str]) -> None:
    """A few untimed misses, so a size is measured on a warmed database (pages in memory,
    plans cached, connections open) rather than on its first cold reads."""
    for _ in range(3):
        misses_and_hits(readers, writers, path, months, seconds=0.5, hits=False)
