"""The mixed load of `make bench`: a shift starting in a care organisation, as people use it.

    locust -f bench/locustfile.py --headless -u 100 -r 5 -t 60s --host https://... --csv ...

Care workers (most people) open the home page and the report form, send reports through the
JSON API (as the form's outbox does), read their own reports and the library. Managers open the
dashboard over changing date ranges and page through the triage queue. A few supervisors open
the observation and supervision pages. Every report sent bumps its service's data generation,
so managers' dashboards are rebuilt (cache misses) all through the run, as in real use.

Everyone signs in with a password first (`sign-in`, left out of the latency target). The
accounts, the library's articles and the months that hold reports come from the file named by
BENCH_PLAN, which bench/run.py writes after seeding; BENCH_CA names the certificate to trust.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import ssl
import sys
import time

from locust import FastHttpUser, between, events, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from misses import report_body  # noqa: E402

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115 (read once, at start)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BODY_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
_accounts = {role: itertools.cycle(PLAN["accounts"][role]) for role in PLAN["accounts"]}

# Every request's own time, for bench/run.py to tell the shift's start (people still signing
# in) from the steady part (everyone signed in): Locust's CSV mixes the two.
_timings: list[tuple[float, str, float, bool]] = []
_moments: dict[str, float] = {}


@events.request.add_listener
def _note_request(name, response_time, exception, **_kwargs) -> None:
    _timings.append((time.time(), name, response_time, exception is None))


@events.spawning_complete.add_listener
def _note_everyone_in(**_kwargs) -> None:
    _moments["everyone_in"] = time.time()


@events.quitting.add_listener
def _write_timings(**_kwargs) -> None:
    if os.environ.get("BENCH_TIMINGS"):
        with open(os.environ["BENCH_TIMINGS"], "w") as out:
            json.dump({"moments": _moments, "requests": _timings}, out)


def trusted_context() -> ssl.SSLContext:
    """Verify nginx's certificate: the bench's own, made for this run."""
    return ssl.create_default_context(cafile=os.environ["BENCH_CA"])


class Person(FastHttpUser):
    """Someone on shift: signs in once, then uses LearnLoop with a pause between pages."""

    abstract = True
    role = ""
    wait_time = between(0.5, 2.5)
    insecure = False
    ssl_context_factory = staticmethod(trusted_context)
    csrf = ""

    def on_start(self) -> None:
        self.email = next(_accounts[self.role])
        self.referer = self.host.rstrip("/") + "/"
        page = self.client.get("/login", name="sign-in page")
        token = TOKEN.search(page.text or "")
        with self.client.post(
            "/login",
            data={"email": self.email, "password": PLAN["password"],
                  "csrf_token": token.group(1) if token else ""},
            headers={"Referer": self.referer + "login"},
            name="sign-in", catch_response=True,
        ) as answer:  # fmt: skip
            # A good sign-in redirects home; the login page again means it was refused.
            if answer.status_code >= 400 or "/login" in (answer.url or ""):
                answer.failure(f"sign-in refused for {self.email} ({answer.status_code})")

    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code != 200 or "/login" in (answer.url or ""):
                answer.failure(f"{answer.status_code} at {answer.url}")
            text = answer.text or ""
        found = BODY_TOKEN.search(text)
        if found:
            self.csrf = found.group(1)
        return text


class CareWorker(Person):
    weight = 7
    role = "care_worker"

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def report_form(self) -> None:
        self.page("/report", "report form")

    @task(2)
    def send_report(self) -> None:
        if not self.csrf:
            self.page("/report", "report form")
        body = report_body()
        with self.client.post(
            "/api/v1/reports", json=body, name="send report (API)", catch_response=True,
            headers={"X-CSRFToken": self.csrf, "Referer": self.referer + "report"},
        ) as answer:  # fmt: skip
            if answer.status_code not in (200, 201):
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:120]}")

    @task(2)
    def my_reports(self) -> None:
        self.page("/reports/mine", "my reports")

    @task(1)
    def library(self) -> None:
        self.page("/library", "library")

    @task(2)
    def article(self) -> None:
        if PLAN["articles"]:
            slug = random.choice(PLAN["articles"])  # noqa: S311
            self.page(f"/library/{slug}", "library article")


class Manager(Person):
    weight = 2
    role = "manager"

    @task(3)
    def dashboard(self) -> None:
        months = PLAN["months"]
        first = random.randrange(len(months))  # noqa: S311
        last = random.randrange(first, min(len(months), first + 12))  # noqa: S311
        self.page(f"/dashboard?start={months[first]}&end={months[last]}", "dashboard")

    @task(2)
    def triage(self) -> None:
        self.page(f"/reports?page={random.randint(1, 20)}", "triage queue")  # noqa: S311

    @task(1)
    def home(self) -> None:
        self.page("/", "home")


class Supervisor(Person):
    weight = 1
    role = "supervisor"

    @task(2)
    def observe(self) -> None:
        self.page("/observe", "observation")

    @task(1)
    def team(self) -> None:
        self.page("/observe/team", "observation: team")

    @task(2)
    def supervision(self) -> None:
        self.page("/supervision", "supervision")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")
