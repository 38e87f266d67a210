"""What each page of the mixed load costs the app in CPU, measured in one process.

`python bench/page_costs.py PLAN.json OUT.json` with DATABASE_URL and REDIS_URL set: builds
the app with production settings, signs in one care worker, one manager and one supervisor
of the plan (bench/people.py) through Flask's test client, and asks for every page and call
of bench/locustfile.py in turn, timing the CPU of the app's thread for each. No network, no
nginx, no other request competing: this is the demand side of the mixed load. bench/run.py
multiplies it by how often each page was asked for in the load, which says how many cores
the app needed, and so whether a page's tail was its own cost or a queue for a busy core.

The dashboard is asked for over a new 12-month-or-less range each time after its services'
cached panels were dropped, so every timed dashboard is a miss, as almost every one is in the
load (reports arrive all the time).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from misses import report_body  # noqa: E402
from server_time import BASE, production_app, signed_in_client  # noqa: E402

WARM = 5
TIMED = 40
BODY_TOKEN = '"X-CSRFToken": "'
COMPRESSED = {"Accept-Encoding": "br, gzip"}


def _token(page: str) -> str:
    start = page.index(BODY_TOKEN) + len(BODY_TOKEN)
    return page[start : page.index('"', start)]


def _dashboard_path(months: list[str]) -> str:
    first = random.randrange(len(months))  # noqa: S311
    last = random.randrange(first, min(len(months), first + 12))  # noqa: S311
    return f"/dashboard?start={months[first]}&end={months[last]}"


def pages(plan: dict) -> list[tuple[str, str, object]]:
    """(role, the load's name for the page, a function of the client that asks for it)."""
    articles = plan["articles"] or ["after-a-fall"]

    def get(path_of):
        return lambda client: client.get(path_of(), base_url=BASE, headers=COMPRESSED)

    tokens: dict[int, str] = {}

    def send_report(client):
        if id(client) not in tokens:  # fetched once, as the outbox keeps its page's token
            tokens[id(client)] = _token(client.get("/report", base_url=BASE).get_data(True))
        token = tokens[id(client)]
        return client.post(
            "/api/v1/reports",
            json=report_body(),
            base_url=BASE,
            headers={"X-CSRFToken": token, "Referer": BASE + "/report"},
        )

    return [
        ("care_worker", "home", get(lambda: "/")),
        ("care_worker", "report form", get(lambda: "/report")),
        ("care_worker", "send report (API)", send_report),
        ("care_worker", "my reports", get(lambda: "/reports/mine")),
        ("care_worker", "library", get(lambda: "/library")),
        ("care_worker", "library article", get(lambda: f"/library/{random.choice(articles)}")),  # noqa: S311
        ("manager", "dashboard", get(lambda: _dashboard_path(plan["months"]))),
        ("manager", "triage queue", get(lambda: f"/reports?page={random.randint(1, 20)}")),  # noqa: S311
        ("supervisor", "observation", get(lambda: "/observe")),
        ("supervisor", "observation: team", get(lambda: "/observe/team")),
        ("supervisor", "supervision", get(lambda: "/supervision")),
    ]


def measure(plan_path: str, out: str) -> dict:
    from app.cache import bump_everything

    plan = json.loads(Path(plan_path).read_text())
    app = production_app()
    clients = {
        role: signed_in_client(app, plan["accounts"][role][0], plan["password"])
        for role in ("care_worker", "manager", "supervisor")
    }
    costs = {}
    for role, name, ask in pages(plan):
        client, cpu, wall = clients[role], [], []
        for turn in range(WARM + TIMED):
            if name == "dashboard":
                with app.app_context():
                    bump_everything()  # a miss, as after a report to the service
            started, started_cpu = time.perf_counter(), time.thread_time()
            answer = ask(client)
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"{name} answered {answer.status_code}")
            if turn >= WARM:
                cpu.append(time.thread_time() - started_cpu)
                wall.append(time.perf_counter() - started)
        costs[name] = {
            "cpu_median_ms": statistics.median(cpu) * 1000,
            "cpu_mean_ms": statistics.fmean(cpu) * 1000,
            "wall_median_ms": statistics.median(wall) * 1000,
        }
    Path(out).write_text(json.dumps(costs, indent=1))
    return costs


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2]), indent=1))
