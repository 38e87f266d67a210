"""`make bench`: measure LearnLoop on this machine and write a Markdown report.

Servers run under gunicorn exactly as in production; load comes from wrk on the same machine
(so both share its cores: the figures are a floor, not a ceiling). Every figure is a median
of three runs. The report states each target and whether it is met. Sections 5 and 6 and the
JavaScript weight run in Chromium with Playwright (bench/offline.py).

To run only some sections while working on them, name them in BENCH_ONLY (comma-separated):
`offline` (5 and 6: the offline load of `/report` and the 500-draft outbox drain) and `weight`
(section 2, the page weight). These run on a fresh database with the demo organisation only,
and write `bench-results/report-<names>.md` so the full report is left as it was, e.g.
`BENCH_DB=scratch_bench BENCH_ONLY=offline .venv/bin/python bench/run.py`.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench-results"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("BENCH_DB", "learnloop_bench")
DATABASE_URL = f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{BENCH_DB}"
# Production keeps throttling counts and the dashboard's cache in Redis; so does the bench.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# Two gthread workers, four threads each: one process per core, threads to overlap database
# waits; few processes keep memory low on a small server. Explained in the report.
GUNICORN = ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
BULK_PASSWORD = "learnloop-bulk"
DEMO_CARER = ("carer@willow.demo", "learnloop-demo")  # from `flask seed-demo`
ARTICLE: str | None = None  # the first library article, found once the database is ready


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(**extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "LEARNLOOP_ENV": "development",
        "FLASK_APP": "wsgi",
        "LOGIN_FAILURES_PER_ADDRESS": "100000 per minute",
        **extra,
    }


def flask(*args: str) -> str:
    result = subprocess.run(
        [PYTHON, "-m", "flask", *args],
        cwd=ROOT,
        env=app_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # counts and cached pages of an earlier run
    flask("db", "upgrade")
    flask("seed-demo")


def report_count() -> int:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{BENCH_DB}") as conn:
        conn.execute("ANALYZE")
        return conn.execute("SELECT count(*) FROM report").fetchone()[0]


def top_up_reports(target: int, services: int = 20) -> None:
    missing = target - report_count()
    log(f"generating {max(missing, 0)} reports to reach {target}")
    flask("seed-bulk", "--reports", str(max(missing, 0)), "--services", str(services))
    report_count()  # ANALYZE, so the planner knows the new size


@contextmanager
def gunicorn(target: str):
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            *GUNICORN,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=app_env(PYTHONPATH=str(ROOT / "bench")),
    )
    base = f"http://127.0.0.1:{port}"
    probe = "/hello" if "hello" in target else "/healthz"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + probe, timeout=2)  # noqa: S310  (our own local server)
            break
        except OSError:  # not listening yet (refused, reset or timed out)
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


class Browser:
    """Just enough of a browser to sign in and read CSRF tokens, with a cookie jar."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        return self.opener.open(request, timeout=30)  # noqa: S310

    def token(self, path: str) -> str:
        html = self.get(path).read().decode()
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        return match.group(1) if match else ""

    def sign_in(self, email: str, password: str = BULK_PASSWORD) -> None:
        data = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": self.token("/login")}
        ).encode()
        self.opener.open(self.base + "/login", data=data, timeout=30)  # noqa: S310

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def wrk(url: str, *, cookie: str = "", body: str = "", connections: int = 16) -> dict:
    """Median requests/s, p50 and p95 (ms) of RUNS runs of wrk."""
    runs = []
    for _ in range(RUNS):
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{SECONDS}s",
                "-s",
                str(ROOT / "bench" / "report.lua"),
                url,
            ],
            env={**os.environ, "BENCH_COOKIE": cookie, "BENCH_BODY": body},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        fields = dict(re.findall(r"(\w+)=([\d.]+)", output.split("BENCH", 1)[1]))
        runs.append(
            {
                "rps": float(fields["requests"]) / float(fields["seconds"]),
                "p50": int(fields["p50_us"]) / 1000,
                "p95": int(fields["p95_us"]) / 1000,
                "bad": int(fields["non2xx"]) + int(fields["errors"]),
            }
        )
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def exists(browser: Browser, path: str) -> bool:
    try:
        browser.get(path)
        return True
    except urllib.error.HTTPError:
        return False


def server_benchmark() -> tuple[list[list], dict]:
    """Throughput and latency of key pages against a bare Flask route served the same way."""
    rows, facts = [], {}
    with gunicorn("hello:app") as base:
        bare = wrk(base + "/hello")
    rows.append(["bare Flask route (`/hello`)", bare, 1.0])
    facts["bare"] = bare
    with gunicorn("wsgi:app") as base:
        staff, manager = Browser(base), Browser(base)
        staff.sign_in("staff1@bulk.learnloop")
        manager.sign_in("manager1@bulk.learnloop")
        pages = [("sign-in page (`/login`)", "/login", "", "")]
        if exists(staff, "/report"):
            token = staff.token("/report")
            form = urllib.parse.urlencode(
                {
                    "csrf_token": token,
                    "description": "Benchmark: a near miss caught in time.",
                    "kind": "near_miss",
                    "category": "falls",
                    "time_bracket": "unknown",
                }
            )
            pages += [
                ("signed-in report form (`/report`)", "/report", staff.cookie, ""),
                ("`POST /report`", "/report", staff.cookie, form),
            ]
        carer = Browser(base)
        carer.sign_in(*DEMO_CARER)
        article = _first_article(carer)
        if article:
            pages.append((f"library article (`{article}`)", article, carer.cookie, ""))
        pages.append(
            ("dashboard, one service, 12 months (`/dashboard`)", "/dashboard", manager.cookie, "")
        )
        for label, path, cookie, body in pages:
            log(f"wrk {label}")
            result = wrk(base + path, cookie=cookie, body=body)
            facts[path if not body else "POST " + path] = result
            rows.append([label, result, result["rps"] / bare["rps"]])
    return rows, facts


def _first_article(browser: Browser) -> str | None:
    try:
        html = browser.get("/library").read().decode()
    except urllib.error.HTTPError:
        return None
    paths = re.findall(r'href="(/library/[a-z0-9-]+)"', html)
    articles = [p for p in paths if p.rsplit("/", 1)[1] not in {"bulletins", "new", "search"}]
    return articles[0] if articles else None


def scale_step(size: int) -> list:
    """Dashboard and triage latency with `size` reports (the database only grows)."""
    top_up_reports(size)
    with gunicorn("wsgi:app") as base:
        admin, manager = Browser(base), Browser(base)
        admin.sign_in("admin@bulk.learnloop")
        manager.sign_in("manager1@bulk.learnloop")
        row = [size]
        targets = [("/dashboard?service=all", admin), ("/dashboard", manager)]
        if exists(manager, "/reports"):
            targets.append(("/reports", manager))
        for path, who in targets:
            log(f"{size} reports: {path}")
            row.append((path, wrk(base + path, cookie=who.cookie, connections=4)))
        return row


def page_weight(path: str, email: str, password: str = BULK_PASSWORD) -> dict | None:
    """Compressed bytes of a first visit: the page and every script, stylesheet and icon it links.
    JavaScript is what Chromium fetches (scripts and the modules they import), when it can run."""
    signed_in = email if path != "/login" else None  # signed in, /login sends you home
    with gunicorn("wsgi:app") as base:
        browser = Browser(base)
        if signed_in:
            browser.sign_in(email, password)
        if not exists(browser, path):
            return None
        html = browser.get(path, {"Accept-Encoding": "br, gzip"})
        total = len(html.read())
        text = browser.get(path).read().decode()
        assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', text))
        weights = {"html": total, "js": 0, "css": 0, "other": 0, "scripts": [], "on_form": []}
        bench, _why = browser_bench()
        if bench is not None:
            scripts = bench.script_weights(base, path, signed_in, password)
            weights["scripts"], weights["on_form"] = scripts["first"], scripts["on_form"]
            weights["js"] = sum(script["br"] for script in weights["scripts"])
            assets = {asset for asset in assets if not asset.endswith(".js")}
        for asset in assets:
            body = browser.get(asset, {"Accept-Encoding": "br, gzip"}).read()
            kind = "js" if asset.endswith(".js") else "css" if asset.endswith(".css") else "other"
            weights[kind] += len(body)
        weights["total"] = sum(weights[k] for k in ("html", "js", "css", "other"))
        return weights


def lighthouse(path: str, email: str | None, password: str = BULK_PASSWORD) -> dict | None:
    binary = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return None
    with gunicorn("wsgi:app") as base:
        headers = {}
        if email:
            browser = Browser(base)
            browser.sign_in(email, password)
            if not exists(browser, path):
                return None
            headers = {"Cookie": browser.cookie}
        output = subprocess.run(
            [
                str(binary),
                base + path,
                "--quiet",
                "--output=json",
                "--form-factor=mobile",
                "--only-categories=performance,accessibility,best-practices",
                f"--extra-headers={json.dumps(headers)}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking",
            ],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            capture_output=True,
            text=True,
            timeout=240,
        )
        if output.returncode != 0:
            return {"error": output.stderr[-300:]}
        report = json.loads(output.stdout)
        RESULTS.mkdir(exist_ok=True)
        name = path.strip("/").replace("/", "-") or "home"
        (RESULTS / f"lighthouse-{name}.json").write_text(output.stdout)
        return {key: round(value["score"] * 100) for key, value in report["categories"].items()}


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
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {int(memory) // 1024 // 1024} GiB",
        f"- Python {platform.python_version()}, {pg}, wrk on the same machine",
        f"- gunicorn {' '.join(GUNICORN)}; each figure the median of {RUNS} runs of {SECONDS} s",
    ]


def main() -> int:
    """Scale first on a fresh database (10,000, then 100,000), the server and page benchmarks
    at 100,000, then the last scale step at 1,000,000, then the offline benchmarks."""
    if ONLY:
        return only(ONLY)
    started = time.time()
    log("preparing a fresh PostgreSQL database")
    fresh_database()
    scale_rows = [scale_step(10_000), scale_step(100_000)]
    find_article()
    lines = ["# LearnLoop benchmark report", "", *machine(), ""]
    rows, facts = server_benchmark()
    lines += [
        "## 1. Server throughput and latency (100,000 reports, 20 services)",
        "",
        "| page | requests/s | p50 ms | p95 ms | ratio to bare route | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {ratio:.2f} | {r['bad']:.0f} |"
        for label, r, ratio in rows
    ]
    lines += ["", *targets_for_server(facts), ""]
    lines += page_weight_section()
    lines += lighthouse_section()
    scale_rows.append(scale_step(1_000_000))
    lines += scale_section(scale_rows)
    lines += offline_section()
    lines += [f"Finished in {time.time() - started:.0f} s."]
    write_report("report.md", lines)
    return 0


def only(sections: set[str]) -> int:
    """Just the named sections (see the module docstring), on a fresh demo database."""
    known = {"offline": offline_section, "weight": page_weight_section}
    unknown = sections - known.keys()
    if unknown:
        print(f"BENCH_ONLY: unknown {', '.join(sorted(unknown))}; known: {', '.join(known)}")
        return 2
    started = time.time()
    log("preparing a fresh PostgreSQL database (demo organisation only)")
    fresh_database()
    top_up_reports(1_000)  # the bulk staff and manager sign-ins the page weight uses
    find_article()
    lines = ["# LearnLoop benchmark report (part)", "", *machine(), ""]
    for name in sorted(sections):
        lines += known[name]()
    lines += [f"Finished in {time.time() - started:.0f} s."]
    write_report(f"report-{'-'.join(sorted(sections))}.md", lines)
    return 0


def find_article() -> None:
    global ARTICLE
    with gunicorn("wsgi:app") as base:
        browser = Browser(base)
        browser.sign_in(*DEMO_CARER)  # the library's articles are the demo organisation's
        ARTICLE = _first_article(browser)


def write_report(name: str, lines: list[str]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def has_service_worker() -> bool:
    return (ROOT / "app" / "static" / "sw.js").exists() or any(
        "/sw.js" in path.read_text() for path in (ROOT / "app").rglob("views.py")
    )


def browser_bench():
    """bench/offline.py and None, or None and why it cannot run here (Playwright, Chromium)."""
    try:
        import offline
    except ImportError as error:
        return None, f"Playwright is not available ({error})"
    why = offline.available()
    return (None, why) if why else (offline, None)


def count_reports(client_ids: list[str], prefix: str) -> tuple[int, int]:
    """Reports stored for the outbox drain: (rows with the drain's wording, distinct client
    ids among the drafts'). Both are the number of drafts when none was lost or doubled."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{BENCH_DB}") as conn:
        rows = conn.execute(
            "SELECT count(*) FROM report WHERE description LIKE %s", (prefix + " %",)
        ).fetchone()[0]
        distinct = conn.execute(
            "SELECT count(DISTINCT client_id) FROM report WHERE client_id = ANY(%s)",
            (client_ids,),
        ).fetchone()[0]
    return rows, distinct


def offline_load(bench) -> list[str]:
    """Benchmark 5: `/report` from the service worker's cache with no connection, against the
    same page online, here and on slow 3G (median of 10 loads; 5 on slow 3G)."""
    with gunicorn("wsgi:app") as base:
        log("offline: /report from the service worker cache, online and on slow 3G")
        result = bench.offline_load(base, *DEMO_CARER)
    lines = [
        "### 5. `/report` opened offline from the service worker's cache",
        "",
        f"Demo carer, phone viewport, after the worker is installed and has kept the page; "
        f"median of {result['loads']} loads each (slow 3G: {max(3, result['loads'] // 2)}), "
        "ms from navigation start.",
        "",
        "| connection | DOMContentLoaded ms | load ms | page from |",
        "|---|---:|---:|---|",
    ]
    for key, name, source in (
        ("offline", "offline", "the worker's cache"),
        ("online", "online, this machine", "the network, through the worker"),
        (
            "slow 3G",
            "online, slow 3G (2 s round trip, 400 kbit/s)",
            "the network, no worker (static files from the HTTP cache)",
        ),
    ):
        r = result[key]
        lines.append(f"| {name} | {r['dcl']:.0f} | {r['load']:.0f} | {source} |")
    offline, slow = result["offline"], result["slow 3G"]
    lines += [
        "",
        f"- Offline, the form is ready {offline['dcl']:.0f} ms after the tap, "
        f"{slow['dcl'] / offline['dcl']:.0f}x sooner than online on slow 3G "
        "(static files come from the worker's precache on both).",
        "",
    ]
    return lines


def outbox_drain(bench) -> list[str]:
    """Benchmark 6: 500 drafts in the outbox drain in at most 10 s, none lost, none doubled."""
    with gunicorn("wsgi:app") as base:
        log("outbox: 500 drafts saved offline, drained online")
        r = bench.outbox_drain(base, *DEMO_CARER, count_reports=count_reports)
    whole = r["left"] == 0 and r["rows"] == r["drafts"] and r["distinct"] == r["drafts"]
    ok = whole and r["seconds"] <= 10
    load = os.getloadavg()[0]
    why = (
        ""
        if r["seconds"] <= 10
        else f" Why: each send takes {r['seconds'] / r['drafts'] * 1000:.0f} ms here (1-minute "
        f"load average {load:.1f} on {os.cpu_count()} cores as it ended, Chromium, gunicorn and "
        "PostgreSQL sharing them); the outbox sends four at a time, and each report is one "
        "transaction (the report, its audit entry on the hash chain, its rollup row) that "
        "waits for the audit chain's head row, so saves queue behind one another."
    )
    lines = [
        "### 6. Outbox drain: 500 drafts",
        "",
        f"Demo carer on `/report`; {r['saved']} drafts saved offline through the app's outbox "
        f"module (`outbox.save`, {r['save_seconds']:.1f} s), then back online: the browser's "
        "`online` event starts the app's own send, four drafts at a time.",
        "",
        "| drafts | seconds to empty | drafts/second | left in the outbox | "
        "reports stored | distinct client ids |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {r['drafts']} | {r['seconds']:.2f} | {r['per_second']:.0f} | {r['left']} | "
        f"{r['rows']} | {r['distinct']} |",
        "",
        f"- Target: 500 drafts drain in at most 10 s, none lost, none doubled: "
        f"{r['seconds']:.2f} s, {r['rows']} stored of {r['drafts']}, {met(ok)}."
        + ("" if whole else f" Left waiting: {r['left']} ({', '.join(r['states'])}).")
        + why,
        "",
    ]
    return lines


def offline_section() -> list[str]:
    lines = ["## 5 and 6. Offline load and outbox drain", ""]
    bench, why = browser_bench()
    if not has_service_worker():
        why = "`/sw.js` is not on this build"
    if bench is None:
        return lines + [f"Not measured: {why}.", ""]
    return lines + offline_load(bench) + outbox_drain(bench)


def met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def targets_for_server(facts: dict) -> list[str]:
    lines = []
    bare = facts["bare"]["rps"]
    if "/report" in facts:
        ratio = facts["/report"]["rps"] / bare
        reason = (
            ""
            if ratio >= 0.5
            else " Why: every signed-in page loads the sign-in session, its person and the "
            "header's unread count (one query, with the pool's pre-ping), checks the CSRF token "
            "and renders and compresses a 13 KB form through Flask, Flask-Login, Flask-WTF, "
            "Flask-Limiter and Flask-Compress; the bare route returns five bytes through none of "
            "them. The app's own hello-sized route, signed out, already runs at about half the "
            "bare route's rate, so 0.5 for a full signed-in page would need the page served "
            "without the app (from a cache in front of it), which personal pages must not be."
        )
        lines.append(
            f"- Target: `/report` form at least half the bare route's throughput: "
            f"{ratio:.2f} of it, {met(ratio >= 0.5)}.{reason}"
        )
    else:
        lines.append("- Target for `/report`: not measured, the report form is not on this build.")
    p95 = facts["/dashboard"]["p95"]
    rps = facts["/dashboard"]["rps"]
    reason = (
        ""
        if p95 <= 100
        else f" Why: at {rps:.0f} requests/s, each of wrk's 16 connections waits for the others "
        f"(about {16 / rps * 1000:.0f} ms of queue); section 4 measures it with 4 connections. "
        "Each dashboard request is mostly Python (charts and page), not the database."
    )
    lines.append(
        f"- Target: `/dashboard` p95 at most 100 ms with 100,000 reports: {p95:.1f} ms, "
        f"{met(p95 <= 100)}.{reason}"
    )
    return lines


def page_weight_section() -> list[str]:
    lines = [
        "## 2. Page weight of a first visit (compressed bytes)",
        "",
        "| page | HTML | CSS | JavaScript | other | total | targets (60 KB total, 25 KB JS) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    scripts, on_form = [], []
    for label, path in (
        ("report form", "/report"),
        ("library article", ARTICLE),
        ("sign-in", "/login"),
    ):
        if path is None:
            lines.append(f"| {label} | – | – | – | – | – | not on this build |")
            continue
        who = DEMO_CARER if path == ARTICLE else ("staff1@bulk.learnloop", BULK_PASSWORD)
        log(f"page weight {path}")
        weights = page_weight(path, *who)
        if weights is None:
            lines.append(f"| {label} | – | – | – | – | – | not on this build |")
            continue
        ok = weights["total"] <= 60_000 and weights["js"] <= 25_000
        if path == "/login":  # shown for comparison; the targets are for the other two
            ok = True
        lines.append(
            f"| {label} (`{path}`) | {weights['html']} | {weights['css']} | {weights['js']} | "
            f"{weights['other']} | {weights['total']} | {met(ok)} |"
        )
        if path == "/report":
            scripts, on_form = weights["scripts"], weights["on_form"]
    return lines + ["", *script_lines("/report", scripts, on_form), ""]


def script_lines(path: str, scripts: list[dict], on_form: list[dict]) -> list[str]:
    """Each JavaScript file a first visit to `path` fetched, brotli (as served over HTTPS) and
    gzip (what a browser asks for over plain HTTP), then those that come once the person starts
    on the form."""
    if not scripts:
        return [
            "JavaScript counted from the page's script tags only (no Chromium to follow imports)."
        ]
    lines = [
        f"JavaScript a signed-in person's first visit to `{path}` fetches with empty caches, as "
        "Chromium requested it (scripts and the modules they import; not the service worker's "
        "own downloads), then what follows when they start on the form (the outbox):",
        "",
        "| file | when | brotli | gzip |",
        "|---|---|---:|---:|",
    ]
    lines += [f"| `{s['path']}` | page load | {s['br']} | {s['gzip']} |" for s in scripts]
    br, gz = sum(s["br"] for s in scripts), sum(s["gzip"] for s in scripts)
    lines.append(f"| total on page load | | {br} | {gz} |")
    lines += [f"| `{s['path']}` | starting the form | {s['br']} | {s['gzip']} |" for s in on_form]
    if on_form:
        more_br, more_gz = sum(s["br"] for s in on_form), sum(s["gzip"] for s in on_form)
        lines.append(f"| total once writing | | {br + more_br} | {gz + more_gz} |")
    return lines + [
        "",
        f"- Target: at most 25 KB of compressed JavaScript on a first load of `{path}`: "
        f"{br} bytes brotli, {gz} gzip, {met(max(br, gz) <= 25_000)}.",
    ]


def lighthouse_section() -> list[str]:
    lines = [
        "## 3. Lighthouse 12, mobile",
        "",
        "| page | performance | accessibility | best practices |",
        "|---|---:|---:|---:|",
    ]
    for path, email in (
        ("/login", None),
        ("/report", "staff1@bulk.learnloop"),
        (ARTICLE, DEMO_CARER[0]),
    ):
        password = DEMO_CARER[1] if path == ARTICLE else BULK_PASSWORD
        scores = lighthouse(path, email, password) if path else None
        if scores is None:
            lines.append(f"| `{path}` | – | – | – |")
        elif "error" in scores:
            lines.append(f"| `{path}` | could not run: {scores['error'][-120:]!r} | | |")
        else:
            lines.append(
                f"| `{path}` | {scores.get('performance')} | {scores.get('accessibility')} | "
                f"{scores.get('best-practices')} |"
            )
    return lines + [
        "",
        "Target: 100 in each column. Where a score is below 100, the audits that cost points are "
        "in `bench-results/lighthouse-*.json`.",
        "",
    ]


def scale_section(rows: list[list]) -> list[str]:
    lines = [
        "## 4. Scale on PostgreSQL: latency as reports grow",
        "",
        "| reports | page | p50 ms | p95 ms |",
        "|---:|---|---:|---:|",
    ]
    by_page: dict[str, list[float]] = {}
    for size, *measures in rows:
        for path, result in measures:
            lines.append(f"| {size:,} | `{path}` | {result['p50']:.1f} | {result['p95']:.1f} |")
            by_page.setdefault(path, []).append(result["p50"])
    lines.append("")
    for path, values in by_page.items():
        growth = values[-1] / values[0] if values[0] else float("inf")
        reason = (
            ""
            if growth <= 2
            else " Why: this page still reads rows in proportion to the reports in scope."
        )
        lines.append(
            f"- `{path}` p50 grows {growth:.2f}x from 10,000 to 1,000,000 reports "
            f"(target at most 2x): {met(growth <= 2)}.{reason}"
        )
    return lines + [""]


if __name__ == "__main__":
    sys.exit(main())
