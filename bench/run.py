"""`make bench`: measure LearnLoop as people meet it, and write bench-results/report.md.

Everything runs in the production shape (bench/shape.py): nginx terminating TLS with a
certificate made for the run, in front of two gunicorn nodes, with PostgreSQL and Redis, and
LearnLoop with LEARNLOOP_ENV=production (secure cookies, HSTS, the proxy trusted for one hop).
Only seeding runs in development settings, because the bulk seed refuses production.

1. Mixed load (Locust, bench/locustfile.py): 100 people signing in over 20 seconds, then 60
   seconds of care workers, managers and supervisors at work, on 200,000 reports over 50
   services, reports arriving all the time. The audit chain starts empty, so the first
   sign-ins race to create its head row, as on a new database.
2. Cached pages cold and warm: the dashboard on a miss (after a write to the service) and on a
   hit (bench/misses.py).
3. First visit to `/report`, counted whole: page, assets and the service worker's install
   (bench/first_visit.py, in Chromium).
4. Server time of the signed-in `/report`, in the process, with a profile (bench/server_time.py).
5. Lighthouse, when it can run here.
6. Growth: the dashboard on misses at 10,000, 100,000 and 1,000,000 reports over 50 services,
   each size warmed first, in a second database. A size whose seeding would not end within the
   time budget is left out, and the report says so.

Every "met" and "missed" in the report is computed from this run's figures against the
targets below. The load generator, Chromium, PostgreSQL, Redis, nginx and both app nodes share
this machine's cores, so figures are a floor, not a ceiling.

`bench/run.py --only first-visit,lighthouse` runs the named steps alone (load, cold-warm,
first-visit, server-time, lighthouse, growth) on a database of 2,000 reports unless load or
cold-warm is among them, and writes bench-results/report-only.md: a quick check of one part,
not a result.

Settings: BENCH_PG_SERVER (default postgresql://postgres@127.0.0.1:5432), BENCH_DB (default
learnloop_bench; the growth database is BENCH_DB + "_growth"), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/9), BENCH_BUDGET_SECONDS (default 840: the whole run under 15 minutes).
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import misses  # noqa: E402
import shape  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
LOCUST = str(ROOT / ".venv" / "bin" / "locust")
RESULTS = ROOT / "bench-results"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("BENCH_DB", "learnloop_bench")
GROWTH_DB = BENCH_DB + "_growth"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
BUDGET = float(os.environ.get("BENCH_BUDGET_SECONDS", "840"))
STARTED = time.monotonic()

# The shape: two app nodes, each gunicorn with two gthread workers of four threads.
NODES, WORKERS, THREADS = 2, 2, 4
# The mixed load, as the targets describe it: a 20-second ramp, then 60 s with everyone in.
PEOPLE, SPAWN_RATE, LOAD_SECONDS = 100, 5, 60
MAIN_REPORTS, SERVICES = 200_000, 50
GROWTH_SIZES = (10_000, 100_000, 1_000_000)
MISS_SECONDS = 12.0
if os.environ.get("BENCH_QUICK"):  # a smoke run of every step at a small scale (not a result)
    PEOPLE, LOAD_SECONDS, MAIN_REPORTS, GROWTH_SIZES, MISS_SECONDS = (
        20,
        20,
        20_000,
        (10_000, 20_000),
        3.0,
    )
CONNECTIONS = 4

# Targets (issue 21), each compared with this run's figures.
LOAD_P95_MS = 250
MISS_P95_MS = 150
GROWTH_MAX = 2.0
FIRST_VISIT_BYTES, FIRST_VISIT_SCRIPT = 100_000, 60_000
REPORT_PAGE_BEFORE_MS = 1.9  # server time of the signed-in /report before this work
LIGHTHOUSE_PAGES = ("/login", "/report", "article")
STEPS = ("load", "cold-warm", "first-visit", "server-time", "lighthouse", "growth")
ONLY_REPORTS = 2_000  # enough for the pages of a step run alone, seeded in seconds


def log(message: str) -> None:
    print(f"[bench {time.monotonic() - STARTED:5.0f} s] {message}", flush=True)


def elapsed() -> float:
    return time.monotonic() - STARTED


def met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def database_url(name: str) -> str:
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"


def seed_env(name: str) -> dict:
    """Development settings for the seeding commands (the bulk seed refuses production)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "REDIS_URL": REDIS_URL,
        "LEARNLOOP_ENV": "development",
        "SECRET_KEY": "bench-seeding-only",
        "FLASK_APP": "wsgi",
    }


def flask(name: str, *args: str) -> str:
    return subprocess.run(
        [PYTHON, "-m", "flask", *args], cwd=ROOT, env=seed_env(name),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def sql(name: str, statement: str, autocommit: bool = False):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{name}", autocommit=autocommit) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else None


def fresh_database(name: str) -> None:
    sql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", autocommit=True)
    sql("postgres", f"CREATE DATABASE {name}", autocommit=True)
    flask(name, "db", "upgrade")


def report_count(name: str) -> int:
    return sql(name, "SELECT count(*) FROM report")[0][0]


def settle(name: str) -> None:
    """VACUUM ANALYZE: the planner knows the new size and the visibility map is set, as on a
    database that has been running a while."""
    sql(name, "VACUUM ANALYZE", autocommit=True)


def top_up(name: str, target: int) -> float:
    """Seed reports up to `target`; the seconds it took."""
    started = time.monotonic()
    missing = max(0, target - report_count(name))
    log(f"{name}: seeding {missing:,} reports to reach {target:,}")
    flask(name, "seed-bulk", "--reports", str(missing), "--services", str(SERVICES))
    settle(name)
    return time.monotonic() - started


@contextmanager
def running_shape(name: str):
    """The production shape over database `name`, in a temporary folder. When a step fails,
    the app nodes' logs are kept in bench-results/ to say why."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder, shape.production_shape(
        Path(folder), database_url(name), redis_url=REDIS_URL,
        nodes=NODES, workers=WORKERS, threads=THREADS,
    ) as running:  # fmt: skip
        try:
            yield running
        except BaseException:
            for node_log in running.folder.glob("node-*.log"):
                kept = RESULTS / f"failed-{name}-{node_log.name}"
                kept.write_text(node_log.read_text(errors="replace"))
                log(f"kept {kept.relative_to(ROOT)}")
            raise


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# -- 1. Mixed load ---------------------------------------------------------------------------


PROGRAMS = {  # a word of the command line -> the name the report gives the program
    "locust": "load generator (Locust)",
    "gunicorn": "app nodes (gunicorn)",
    "postgres": "PostgreSQL",
    "nginx": "nginx",
    "redis-server": "Redis",
}


def _program_of(pid: Path) -> str | None:
    try:
        words = pid.joinpath("cmdline").read_bytes().split(b"\0")[:4]
    except OSError:
        return None
    line = " ".join(w.decode(errors="replace") for w in words)
    return next((label for key, label in PROGRAMS.items() if key in line), None)


def cpu_seconds_by_program() -> dict[str, float]:
    """CPU seconds (user and system) used so far by each program of the shape, read from
    /proc: where the machine's cores went during the load. A process that ends within the
    window takes its seconds with it; the shape's processes live through it."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid in Path("/proc").glob("[0-9]*"):
        name = _program_of(pid)
        try:
            text = pid.joinpath("stat").read_text() if name else ""
        except OSError:
            continue  # ended meanwhile
        if name and text:
            fields = text[text.rindex(")") + 2 :].split()
            used[name] = used.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def mixed_load(running: shape.Shape, plan: Path) -> dict:
    out, timings = RESULTS / "locust", RESULTS / "locust-timings.json"
    cpu_before, started = cpu_seconds_by_program(), time.monotonic()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [LOCUST, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
         "-u", str(PEOPLE), "-r", str(SPAWN_RATE), "-t", f"{PEOPLE // SPAWN_RATE + LOAD_SECONDS}s",
         "--host", running.base, "--csv", str(out), "--only-summary", "--loglevel", "WARNING"],
        cwd=ROOT, check=False, capture_output=True, text=True,
        env={**os.environ, "BENCH_PLAN": str(plan), "BENCH_CA": str(running.cert),
             "BENCH_TIMINGS": str(timings)},
    )  # fmt: skip
    cpu_after, wall = cpu_seconds_by_program(), time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # Locust, now it has ended
    cpu_after[PROGRAMS["locust"]] = (
        children_after.ru_utime + children_after.ru_stime
        - children_before.ru_utime - children_before.ru_stime
    )  # fmt: skip
    rows = list(csv.DictReader(open(f"{out}_stats.csv")))  # noqa: SIM115
    failures = list(csv.DictReader(open(f"{out}_failures.csv")))  # noqa: SIM115
    pages = [row for row in rows if row["Name"] != "Aggregated"]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    logs = "".join(p.read_text(errors="replace") for p in running.folder.glob("node-*.log"))
    return {
        "load_average": os.getloadavg()[0],
        "cpu": {name: (cpu_after[name] - cpu_before.get(name, 0.0)) / wall for name in cpu_after},
        "pages": pages,
        "windows": split_by_window(json.loads(timings.read_text())) if timings.exists() else {},
        "total": total,
        "failures": failures,
        "audit_head_errors": logs.count("pk_audit_head"),
        "server_errors_logged": len(re.findall(r"Traceback \(most recent call last\)", logs)),
        "nginx_errors": nginx_errors(running.folder / "error.log"),
    }


def nginx_errors(error_log: Path) -> list[str]:
    """nginx's own account of answers a node did not give (each line's message, without the
    time and connection numbers), so a 502 in the load says which way it failed."""
    if not error_log.exists():
        return []
    found = []
    for line in error_log.read_text(errors="replace").splitlines():
        if "[error]" in line or "[crit]" in line:
            found.append(re.sub(r"^.*?\*\d+ ", "", line).split(", client:")[0])
    return found


def percentile(times: list[float], share: float) -> float:
    """The nearest-rank percentile of `times` (0 when there are none)."""
    ordered = sorted(times)
    return ordered[max(0, int(round(share * len(ordered))) - 1)] if ordered else 0.0


def split_by_window(timings: dict) -> dict[str, dict[str, list]]:
    """Each page's (ms, ok) requests while people were still signing in ("start") and once
    everyone was in ("steady")."""
    everyone_in = timings["moments"].get("everyone_in", float("inf"))
    windows: dict[str, dict[str, list]] = {}
    for moment, name, ms, ok in timings["requests"]:
        window = "steady" if moment >= everyone_in else "start"
        windows.setdefault(name, {"start": [], "steady": []})[window].append((ms, ok))
    return windows


def load_section(result: dict, chain: str) -> list[str]:
    lines = [
        f"## 1. Mixed load: {PEOPLE} people, {LOAD_SECONDS} s, {MAIN_REPORTS:,} reports over "
        f"{SERVICES} services",
        "",
        f"Locust, headless, {PEOPLE} people signing in over {PEOPLE // SPAWN_RATE} s (as a "
        "shift starts), each pausing 0.5 to 2.5 s between pages: care workers (7 in 10) open "
        "home and the report form, send reports through the JSON API, read their reports and "
        "the library; managers (2 in 10) open the dashboard over changing date ranges and page "
        "through triage; supervisors (1 in 10) open observation and supervision. Every report "
        "sent invalidates its service's cached dashboard. Times in ms, through nginx over HTTPS.",
        "",
        f"Judged once all {PEOPLE} are signed in ({LOAD_SECONDS} s): requests, failures and "
        "p50/p95/p99 of that window; the last column is p95 while people were still signing "
        "in (each sign-in is an argon2 check that holds a core for about a tenth of a second).",
        "",
        "| page or call | requests | failed | p50 | p95 | p99 | p95 while signing in | target "
        f"(p95 ≤ {LOAD_P95_MS} ms, no errors) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    worst = []
    for name, window in sorted(result["windows"].items()):
        steady = [ms for ms, _ok in window["steady"]]
        failed = sum(1 for _ms, ok in window["steady"] + window["start"] if not ok)
        p50, p95, p99 = (percentile(steady, share) for share in (0.5, 0.95, 0.99))
        start_p95 = percentile([ms for ms, _ok in window["start"]], 0.95)
        judged = not name.startswith("sign-in")
        ok = failed == 0 and p95 <= LOAD_P95_MS
        if judged and not ok:
            worst.append((name, p95, failed))
        verdict = met(ok) if judged else "(sign-in aside)"
        lines.append(
            f"| {name} | {len(steady)} | {failed} | {p50:.0f} | {p95:.0f} | {p99:.0f} "
            f"| {start_p95:.0f} | {verdict} |"
        )
    total = result["total"]
    requests_done = int(total["Request Count"])
    failed_all = int(total["Failure Count"])
    lines += [
        "",
        f"- Throughput: {float(total['Requests/s']):.1f} requests a second over the run "
        f"({requests_done:,} requests, {failed_all} failed); p95 over all {float(total['95%']):.0f} ms; "
        f"1-minute load average {result['load_average']:.1f} on {os.cpu_count()} cores as it "
        "ended (the load generator, nginx, both nodes, PostgreSQL and whatever else runs here).",
    ]
    cores = os.cpu_count() or 1
    shares = sorted(result["cpu"].items(), key=lambda item: -item[1])
    lines.append(
        f"- Where the {cores} cores went during the load (CPU seconds a second, from /proc): "
        + "; ".join(f"{name} {used:.2f}" for name, used in shares)
        + f"; {sum(used for _, used in shares):.2f} of {cores} in all."
    )
    rate = float(total["Requests/s"])
    if rate:
        app_ms = 1000 * result["cpu"].get(PROGRAMS["gunicorn"], 0.0) / rate
        lines.append(f"- The app nodes spent {app_ms:.1f} ms of CPU per request on average.")
    if result["nginx_errors"]:
        counts: dict[str, int] = {}
        for message in result["nginx_errors"]:
            counts[message] = counts.get(message, 0) + 1
        lines += [f"- nginx: {message} (× {n})" for message, n in sorted(counts.items())[:5]]
    for failure in result["failures"][:8]:
        lines.append(
            f"- Failure: {failure['Method']} {failure['Name']}: {failure['Error'][:160]} "
            f"(× {failure['Occurrences']})"
        )
    sign_in_500 = sum(
        int(f["Occurrences"]) for f in result["failures"]
        if f["Name"] == "sign-in" and "500" in f["Error"]
    )  # fmt: skip
    race_ok = result["audit_head_errors"] == 0 and sign_in_500 == 0
    lines += [
        f"- Audit head race on a new chain (the first sign-ins create its head row): "
        f"{result['audit_head_errors']} `pk_audit_head` errors in the app nodes' logs, "
        f"{sign_in_500} sign-ins answered 500; {chain}: {met(race_ok)}.",
        f"- Target, every page and API call (sign-in aside) with no errors and p95 at most "
        f"{LOAD_P95_MS} ms: {met(not worst)}"
        + (
            "; missed by " + ", ".join(f"{n} (p95 {p:.0f} ms, {f} failed)" for n, p, f in worst)
            if worst
            else ""
        )
        + ".",
        "",
    ]
    return lines


def page_costs_section(result: dict) -> list[str]:
    """The demand side of the mixed load: each page's CPU in one process with no competition
    (bench/page_costs.py), times how often the load asked for it once everyone was in."""
    log("what each page costs the app, in the process")
    out = RESULTS / "page-costs.json"
    env = {**seed_env(BENCH_DB)}
    env.pop("SECRET_KEY")
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "page_costs.py"), str(RESULTS / "plan.json"), str(out)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    costs = json.loads(out.read_text())
    rows = []
    for name, cost in costs.items():
        asked = len(result["windows"].get(name, {}).get("steady", []))
        rows.append((name, cost["cpu_median_ms"], asked, cost["cpu_median_ms"] * asked / 1000))
    rows.sort(key=lambda row: -row[3])
    demand = sum(row[3] for row in rows) / LOAD_SECONDS
    used = result["cpu"].get(PROGRAMS["gunicorn"], 0.0)
    lines = [
        "### What each page costs the app",
        "",
        "Each page asked for alone in one process with production settings (bench/page_costs.py;"
        " the dashboard always on a miss), CPU of the app's thread, median of 40; times the "
        "requests the load made for it once everyone was in.",
        "",
        "| page or call | CPU ms alone | requests | CPU seconds in the window |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {ms:.1f} | {asked} | {seconds:.1f} |" for name, ms, asked, seconds in rows),
        "",
        f"- Alone, these pages would need {demand:.2f} of a core through the window; the app "
        f"nodes used {used:.2f} (sign-ins, and every request costing more when the cores are "
        "shared, make the difference). A page whose own cost is far under its p95 above waited "
        "for a core: its tail is the queue, and it shortens when the costliest pages above cost "
        "less.",
        "",
    ]
    return lines


# -- 2. Cold and warm ------------------------------------------------------------------------


def people_for(running: shape.Shape, plan: dict) -> dict:
    password = plan["password"]
    managers = [
        misses.Person(running.base, str(running.cert), f"manager{n}@bulk.learnloop", password)
        for n in range(1, CONNECTIONS + 1)
    ]
    carers = [
        misses.Person(running.base, str(running.cert), f"staff{n}@bulk.learnloop", password)
        for n in range(1, CONNECTIONS + 1)
    ]
    admins = [
        misses.Person(running.base, str(running.cert), "admin@bulk.learnloop", password)
        for _ in range(CONNECTIONS)
    ]
    return {"managers": managers, "carers": carers, "admins": admins}


CACHED_PAGES = (
    ("dashboard, one service (a manager)", "managers", "/dashboard"),
    ("dashboard, all 50 services (an admin)", "admins", "/dashboard?service=all"),
)


def cold_and_warm(people: dict, months: list[str]) -> list[tuple[str, object, object]]:
    rows = []
    for label, readers, path in CACHED_PAGES:
        log(f"cold and warm: {label}")
        misses.warm_up(people[readers], people["carers"], path, months)
        miss, hit = misses.misses_and_hits(
            people[readers], people["carers"], path, months, MISS_SECONDS
        )
        rows.append((label, miss, hit))
    return rows


def cold_warm_section(rows) -> list[str]:
    lines = [
        f"## 2. Cached pages, cold and warm ({MAIN_REPORTS:,} reports, {SERVICES} services)",
        "",
        f"{CONNECTIONS} connections, {MISS_SECONDS:.0f} s each way. **Miss**: a care worker "
        "of the service sends a report through the API, then the dashboard is opened (each "
        "connection its own 12-month range), so every timed request rebuilds the figures that "
        "read reports from the database; figures that read no report stay cached, as they do "
        "after a report in real use. **Hit**: the same dashboard again with nothing written "
        "in between.",
        "",
        "| page | cache | requests | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, miss, hit in rows:
        for name, t in (("miss", miss), ("hit", hit)):
            lines.append(
                f"| {label} | {name} | {t.count} | {t.p50:.1f} | {t.p95:.1f} | {t.p99:.1f} |"
            )
    return lines + [""]


# -- 3. First visit --------------------------------------------------------------------------


def first_visit_section(running: shape.Shape, plan: dict) -> list[str]:
    import first_visit

    lines = ["## 3. First visit to `/report` on a new phone, counted whole", ""]
    why = first_visit.available()
    if why:
        return lines + [f"Not measured: {why}.", ""]
    log("first visit: /report in Chromium, service worker install included")
    result = first_visit.first_visit(
        running.base, str(running.cert), "/report", plan["accounts"]["care_worker"][0],
        plan["password"],
    )  # fmt: skip
    total, script = result["total"], result["script"]
    lines += [
        "A signed-in care worker's phone with empty caches opens `/report` through nginx over "
        "HTTPS; the service worker registers and installs. Every fetch the page and the worker "
        "made is counted with the bytes Chromium says it received for it: a file fetched twice "
        "counts twice, a revalidation answered 304 counts its headers only, and an answer from "
        "a cache counts nothing. Bytes are compressed bodies as they came; headers apart.",
        "",
        "| file | fetched by | answers | encoding | body bytes |",
        "|---|---|---|---|---:|",
    ]
    for f in sorted(result["files"], key=lambda f: (-f["bytes"], f["path"])):
        by = " and ".join(dict.fromkeys(f["by"]))
        answers = ", ".join(str(status) for status in f["statuses"])
        lines.append(f"| `{f['path']}` | {by} | {answers} | {f['encoding']} | {f['bytes']:,} |")
    lines += [
        "",
        f"- In all {total:,} body bytes over {result['fetches']} fetches ({result['page']:,} "
        f"for the page and its assets, {result['worker']:,} more for the worker's install); "
        f"JavaScript {script:,} bytes. Response headers added {result['headers']:,} bytes.",
        f"- Target, at most {FIRST_VISIT_BYTES // 1000} KB in all and "
        f"{FIRST_VISIT_SCRIPT // 1000} KB of JavaScript: {met(total <= FIRST_VISIT_BYTES)} "
        f"({total:,}), {met(script <= FIRST_VISIT_SCRIPT)} ({script:,}).",
    ]
    if total > FIRST_VISIT_BYTES or script > FIRST_VISIT_SCRIPT:
        lines.append(
            f"- Where the bytes go: {result['refetched']:,} are files the page had already "
            f"loaded and the worker downloaded again; {result['images']:,} are PNG images."
        )
    return lines + [""]


# -- 4. Server time of /report ---------------------------------------------------------------


def server_time_section() -> list[str]:
    log("server time of /report, in the process, with a profile")
    out, profile = RESULTS / "report-page-time.json", RESULTS / "report-page-profile.txt"
    env = {**seed_env(BENCH_DB)}
    env.pop("SECRET_KEY")
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "server_time.py"), str(out), str(profile)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    r = json.loads(out.read_text())
    target = REPORT_PAGE_BEFORE_MS / 2
    lines = [
        "## 4. Server time of the signed-in `/report` page, in the process",
        "",
        f"Flask's test client in one process with production settings, {r['requests']} GETs "
        "after a warm-up, a care worker signed in, answers compressed; no network, no nginx.",
        "",
        "| measure | ms per request |",
        "|---|---:|",
        f"| wall time, median | {r['median_ms']:.2f} |",
        f"| wall time, p95 | {r['p95_ms']:.2f} |",
        f"| CPU time of the app's thread, median | {r['cpu_median_ms']:.2f} |",
        f"| of the wall time, rendering templates (mean) | {r['template_ms']:.2f} |",
        "",
        f"- SQL statements per request: {r['statements']:.1f}; round trips to PostgreSQL per "
        f"request: {r['round_trips']:.1f} ("
        + (", ".join(f"{kind} {n:.1f}" for kind, n in r["round_trips_by_kind"].items()) or "none")
        + ").",
        "- Where the time goes, by the profile (shares of the profiled requests' time; parts "
        "may nest): "
        + "; ".join(f"{part} {share:.0%}" for part, share in r.get("profile_shares", {}).items())
        + ".",
        f"- Target, half of {REPORT_PAGE_BEFORE_MS} ms (before this work), at most "
        f"{target:.2f} ms: wall {r['median_ms']:.2f} ms, {met(r['median_ms'] <= target)}; "
        f"CPU {r['cpu_median_ms']:.2f} ms, {met(r['cpu_median_ms'] <= target)}. "
        f"The wall time also holds waits for PostgreSQL and for cores held by other "
        f"processes (1-minute load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "as it ended). Profile: `bench-results/report-page-profile.txt`.",
        "",
    ]
    return lines


# -- 5. Lighthouse ---------------------------------------------------------------------------


def lighthouse_binary() -> Path | None:
    binary = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
    return binary if binary.exists() else None


def lighthouse_section(running: shape.Shape, plan: dict) -> list[str]:
    lines = [
        "## 5. Lighthouse, mobile",
        "",
    ]
    binary = lighthouse_binary()
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if binary is None:
        return lines + [
            "Not run: `bench/node_modules/.bin/lighthouse` is missing (`npm ci --prefix bench` "
            "did not install it).",
            "",
        ]
    if not Path(chromium).exists():
        return lines + [f"Not run: no Chromium at {chromium}.", ""]
    if elapsed() > BUDGET - 300:
        return lines + [
            f"Not run: {elapsed():.0f} s of the {BUDGET:.0f} s budget were gone, and the growth "
            "section needs the rest.",
            "",
        ]
    lines += [
        "| page | performance | accessibility | best practices | points lost on |",
        "|---|---:|---:|---:|---|",
    ]
    all_ok = True
    article = f"/library/{plan['articles'][0]}" if plan["articles"] else None
    carer = misses.Person(
        running.base, str(running.cert), plan["accounts"]["care_worker"][0], plan["password"]
    )
    cookie = "; ".join(f"{c.name}={c.value}" for c in carer.http.cookies)
    for path, signed_in in (("/login", False), ("/report", True), (article, True)):
        if path is None:
            lines.append("| an article | – | – | – | |")
            all_ok = False
            continue
        log(f"lighthouse {path}")
        scores = lighthouse(
            binary, chromium, running.base + path, cookie if signed_in else "", str(running.cert)
        )
        if "error" in scores:
            lines.append(f"| `{path}` | could not run: {scores['error']} | | | |")
            all_ok = False
            continue
        lost = scores.pop("lost")
        all_ok &= all(v == 100 for v in scores.values())
        lines.append(
            f"| `{path}` | {scores.get('performance')} | {scores.get('accessibility')} | "
            f"{scores.get('best-practices')} | {'; '.join(lost) or '–'} |"
        )
    return lines + [
        "",
        f"- Target, 100 in each column: {met(all_ok)}. The audits that cost points are in "
        "`bench-results/lighthouse-*.json`.",
        "",
    ]


def lighthouse(binary: Path, chromium: str, url: str, cookie: str, cert: str) -> dict:
    from first_visit import trust_flag

    headers = {"Cookie": cookie} if cookie else {}
    try:
        output = subprocess.run(
            [str(binary), url, "--quiet", "--output=json", "--form-factor=mobile",
             "--only-categories=performance,accessibility,best-practices",
             f"--extra-headers={json.dumps(headers)}",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
             f"{trust_flag(cert)} --disable-background-networking"],
            env={**os.environ, "CHROME_PATH": chromium},
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 180 s"}
    if output.returncode != 0:
        return {"error": output.stderr.strip().splitlines()[-1][:160] if output.stderr else "?"}
    report = json.loads(output.stdout)
    name = url.split("/", 3)[3].replace("/", "-") or "home"
    (RESULTS / f"lighthouse-{name}.json").write_text(output.stdout)
    scores = {key: round(value["score"] * 100) for key, value in report["categories"].items()}
    return {**scores, "lost": points_lost(report)}


def points_lost(report: dict) -> list[str]:
    """The weighted audits that scored under 1, with Lighthouse's own figure for each: the
    performance metrics (first and largest contentful paint, total blocking time, layout shift,
    speed index) and any failed accessibility or best-practice check."""
    lost = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                figure = audit.get("displayValue", "")
                lost.append(
                    f"{audit['title']}{f' {figure}' if figure else ''} ({audit['score']:.2f})"
                )
    return lost


# -- 6. Growth -------------------------------------------------------------------------------


def growth(plan: dict) -> tuple[list, list[str]]:
    """Dashboard misses at each size on the growth database; a size that would not fit the
    budget is skipped, with the reason."""
    rows, skipped = [], []
    log(f"growth database {GROWTH_DB}")
    fresh_database(GROWTH_DB)
    flush_redis()
    seconds_per_row = top_up(GROWTH_DB, GROWTH_SIZES[0]) / GROWTH_SIZES[0]
    with running_shape(GROWTH_DB) as running:
        people = people_for(running, plan)
        for size in GROWTH_SIZES:
            current = report_count(GROWTH_DB)
            if current < size:
                needed = (size - current) * seconds_per_row + len(CACHED_PAGES) * (MISS_SECONDS + 5)
                left = BUDGET - elapsed() - 20
                if needed > left:
                    skipped.append(
                        f"{size:,} reports: seeding and measuring would take about "
                        f"{needed:.0f} s at this run's seeding rate, and {max(left, 0):.0f} s "
                        "of the budget were left"
                    )
                    continue
                seconds_per_row = top_up(GROWTH_DB, size) / (size - current)
            rows.append(measure_size(people, plan["months"]))
    return rows, skipped


def measure_size(people: dict, months: list[str]) -> list:
    """[reports, (label, misses) for each cached page] on the database as it is now."""
    row: list = [report_count(GROWTH_DB)]
    for label, readers, path in CACHED_PAGES:
        log(f"growth {row[0]:,}: {label}, misses")
        misses.warm_up(people[readers], people["carers"], path, months)
        miss, _none = misses.misses_and_hits(
            people[readers], people["carers"], path, months, MISS_SECONDS, hits=False
        )
        row.append((label, miss))
    return row


def growth_section(rows: list, skipped: list[str]) -> list[str]:
    lines = [
        "## 6. Growth: the dashboard on misses as reports grow",
        "",
        f"A second database, {SERVICES} services, grown in place; each size vacuumed and "
        f"analysed, then warmed with a few untimed misses; {CONNECTIONS} connections, "
        f"{MISS_SECONDS:.0f} s of misses each.",
        "",
        "| reports | page | requests | p50 ms | p95 ms | p99 ms |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    by_page: dict[str, list] = {}
    for size, *measures in rows:
        for label, t in measures:
            lines.append(
                f"| {size:,} | {label} | {t.count} | {t.p50:.1f} | {t.p95:.1f} | {t.p99:.1f} |"
            )
            by_page.setdefault(label, []).append((size, t))
    lines.append("")
    for reason in skipped:
        lines.append(f"- Not measured: {reason}.")
    largest = rows[-1][0] if rows else 0
    for label, sized in by_page.items():
        (first_size, first), (last_size, last) = sized[0], sized[-1]
        growth_ratio = last.p50 / first.p50 if first.p50 else float("inf")
        lines.append(
            f"- {label}: p50 grows {growth_ratio:.2f}x from {first_size:,} to {last_size:,} "
            f"reports (p95 {last.p95 / first.p95:.2f}x); target at most {GROWTH_MAX:.0f}x "
            f"from 10,000 to 1,000,000: "
            + (met(growth_ratio <= GROWTH_MAX) if last_size >= 1_000_000 else
               f"**not measured at 1,000,000** (largest size {largest:,})")
            + "."
        )  # fmt: skip
        lines.append(
            f"- {label}: p95 on a miss at {last_size:,} reports {last.p95:.1f} ms; target at "
            f"most {MISS_P95_MS} ms at 1,000,000: "
            + (met(last.p95 <= MISS_P95_MS) if last_size >= 1_000_000 else "**not measured**")
            + "."
        )
    return lines + [""]


# -- Report ----------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = {
        "PostgreSQL": subprocess.run(
            ["psql", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "nginx": subprocess.run(
            [shape.nginx_binary() or "nginx", "-v"], capture_output=True, text=True
        ).stderr.strip(),
        "Locust": subprocess.run([LOCUST, "--version"], capture_output=True, text=True)
        .stdout.strip()
        .split(" from ")[0],
    }
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {int(memory) // 1024 // 1024} GiB; "
        f"1-minute load average {os.getloadavg()[0]:.1f} at the start",
        f"- Python {platform.python_version()}; {versions['PostgreSQL']}; {versions['nginx']}; "
        f"{versions['Locust']}",
        f"- Shape: nginx (TLS, self-signed certificate made for the run) in front of {NODES} "
        f"gunicorn nodes of {WORKERS} gthread workers × {THREADS} threads, LEARNLOOP_ENV="
        "production, PostgreSQL and Redis on the same machine; the load generator and Chromium "
        "too, so every figure is a floor.",
    ]


def write_report(name: str, lines: list[str]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def prepare_main(reports: int = MAIN_REPORTS) -> Path:
    log(f"main database {BENCH_DB}: {reports:,} reports over {SERVICES} services")
    fresh_database(BENCH_DB)
    top_up(BENCH_DB, reports)
    plan = RESULTS / "plan.json"
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "people.py"), str(plan)],
        cwd=ROOT, env=seed_env(BENCH_DB), check=True,
    )  # fmt: skip
    # A new database's audit chain is empty; the library import above wrote to it, so it is
    # emptied again: the mixed load's first sign-ins then race to start it.
    sql(BENCH_DB, "DELETE FROM audit_entry; DELETE FROM audit_head")
    settle(BENCH_DB)
    return plan


def audit_chain_intact() -> str:
    answer = subprocess.run(
        [PYTHON, "-m", "flask", "audit", "verify"], cwd=ROOT, env=seed_env(BENCH_DB),
        capture_output=True, text=True,
    )  # fmt: skip
    words = (answer.stdout + answer.stderr).strip().splitlines()
    return f"`flask audit verify` afterwards: {words[-1] if words else answer.returncode}"


def chosen_steps(argv: list[str]) -> tuple[str, ...]:
    """Every step, or those named by `--only a,b`; an unknown name is refused."""
    if not argv:
        return STEPS
    if len(argv) != 2 or argv[0] != "--only":
        raise SystemExit(f"usage: bench/run.py [--only {','.join(STEPS)}]")
    names = tuple(name.strip() for name in argv[1].split(",") if name.strip())
    unknown = [name for name in names if name not in STEPS]
    if unknown or not names:
        raise SystemExit(f"unknown step {', '.join(unknown) or '(none)'}: choose from {STEPS}")
    return names


def main() -> int:
    steps = chosen_steps(sys.argv[1:])
    if shape.nginx_binary() is None:
        print("nginx is not installed: `make bench` installs it with apt-get.", file=sys.stderr)
        return 2
    RESULTS.mkdir(exist_ok=True)
    for old in RESULTS.glob("lighthouse-*.json"):
        old.unlink()
    header = ["# LearnLoop benchmark report", "", *machine(), ""]
    if steps != STEPS:
        header += [f"Only {', '.join(steps)} (`--only`): a quick check, not a result.", ""]
    loaded = {"load", "cold-warm"} & set(steps)
    plan_path = prepare_main(MAIN_REPORTS if loaded else ONLY_REPORTS)
    plan = json.loads(plan_path.read_text())
    flush_redis()
    sections: list[str] = []
    lighthouse_lines: list[str] = []
    with running_shape(BENCH_DB) as running:
        if "load" in steps:
            log(f"mixed load: {PEOPLE} people for {LOAD_SECONDS} s")
            load = mixed_load(running, plan_path)
            sections += load_section(load, audit_chain_intact()) + page_costs_section(load)
        if "cold-warm" in steps:
            people = people_for(running, plan)
            sections += cold_warm_section(cold_and_warm(people, plan["months"]))
        if "first-visit" in steps:
            sections += first_visit_section(running, plan)
        if "lighthouse" in steps:
            lighthouse_lines = lighthouse_section(running, plan)
    if "server-time" in steps:
        sections += server_time_section()
    sections += lighthouse_lines
    if "growth" in steps:
        rows, skipped = growth(plan)
        sections += growth_section(rows, skipped)
    write_report(
        "report.md" if steps == STEPS else "report-only.md",
        [*header, *sections, f"Finished in {elapsed():.0f} s (budget {BUDGET:.0f} s); "
         f"1-minute load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the "
         "end. Anything else running on the machine meanwhile is in these figures too.",
         "", "Written by `make bench` (bench/run.py); every verdict above is computed from "
         "this run's figures."]
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
