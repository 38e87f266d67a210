"""Server time of the signed-in `/report` page, measured in the process (no network, no nginx).

`python bench/server_time.py OUT.json [PROFILE.txt]` with DATABASE_URL (and REDIS_URL) set:
builds the app with LEARNLOOP_ENV=production settings, signs a care worker in through Flask's
test client over "https", then times many GETs of `/report`: the whole request through every
hook and extension, the part spent rendering templates, the SQL statements it sends and every
round trip to PostgreSQL (statements, pings, BEGIN, COMMIT, ROLLBACK).
A cProfile of the same requests goes to PROFILE.txt, so a miss is explained from a profile.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARM = 100
TIMED = 600
PROFILED = 300
EMAIL = os.environ.get("BENCH_EMAIL", "staff1@bulk.learnloop")
PASSWORD = os.environ.get("BENCH_PASSWORD", "learnloop-bulk")
BASE = "https://localhost"


def production_app():
    from cryptography.fernet import Fernet

    os.environ.update(
        LEARNLOOP_ENV="production",
        APP_BASE_URL=BASE,
        SECRET_KEY=os.environ.get("SECRET_KEY") or os.urandom(24).hex(),
        TOTP_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    from app import create_app

    return create_app()


def signed_in_client(app, email: str = EMAIL, password: str = PASSWORD):
    """A test client signed in with a password, as a person would be."""
    client = app.test_client()
    page = client.get("/login", base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login",
        base_url=BASE,
        data={"email": email, "password": password, "csrf_token": token},
        headers={"Referer": BASE + "/login"},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return client


def measure(out: str, profile_path: str | None = None) -> dict:
    import flask.templating
    from sqlalchemy import event

    from app.extensions import db

    app = production_app()
    client = signed_in_client(app)
    rendering = [0.0]
    statements = [0]
    original = flask.templating._render

    def timed_render(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            rendering[0] += time.perf_counter() - started

    flask.templating._render = timed_render
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args, **_kwargs):
        statements[0] += 1

    round_trips = count_round_trips()

    cpu: list[float] = []

    def one() -> float:
        started, started_cpu = time.perf_counter(), time.thread_time()
        answer = client.get("/report", base_url=BASE, headers={"Accept-Encoding": "br, gzip"})
        elapsed = time.perf_counter() - started
        cpu.append(time.thread_time() - started_cpu)
        if answer.status_code != 200:
            raise RuntimeError(f"/report answered {answer.status_code}")
        return elapsed

    for _ in range(WARM):
        one()
    rendering[0], statements[0] = 0.0, 0
    round_trips.clear()
    cpu.clear()
    times = [one() for _ in range(TIMED)]
    result = {
        "requests": TIMED,
        "median_ms": statistics.median(times) * 1000,
        "mean_ms": statistics.fmean(times) * 1000,
        "p95_ms": sorted(times)[int(0.95 * (TIMED - 1))] * 1000,
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "template_ms": rendering[0] / TIMED * 1000,
        "statements": statements[0] / TIMED,
        # Everything sent to PostgreSQL and waited for: statements, pings, BEGIN, COMMIT and
        # ROLLBACK, each by what was sent.
        "round_trips": sum(round_trips.values()) / TIMED,
        "round_trips_by_kind": {kind: n / TIMED for kind, n in sorted(round_trips.items())},
    }
    if profile_path:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(PROFILED):
            one()
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        result["profile_shares"] = shares(stats)
        text.write(f"cProfile of {PROFILED} GET /report, signed in (production settings)\n")
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        Path(profile_path).write_text(text.getvalue())
    flask.templating._render = original
    Path(out).write_text(json.dumps(result))
    return result


def count_round_trips() -> dict[str, int]:
    """Count what psycopg sends and waits for, by kind: every cursor's statement (SQLAlchemy's
    own and a pool's ping) and every transaction command psycopg issues by itself (BEGIN,
    COMMIT, ROLLBACK). Wraps psycopg's internal command runner: there is no public hook."""
    import psycopg

    counts: dict[str, int] = {}
    execute, command = psycopg.Cursor.execute, psycopg.Connection._exec_command

    def counted_execute(self, query, *args, **kwargs):
        kind = "ping" if str(query).strip() in {"", ";", "SELECT 1"} else "statement"
        counts[kind] = counts.get(kind, 0) + 1
        return execute(self, query, *args, **kwargs)

    def counted_command(self, sent, *args, **kwargs):
        text = bytes(sent).decode(errors="replace") if not isinstance(sent, str) else sent
        kind = text.split()[0].upper() if text.strip() else "command"
        counts[kind] = counts.get(kind, 0) + 1
        return command(self, sent, *args, **kwargs)

    psycopg.Cursor.execute = counted_execute
    psycopg.Connection._exec_command = counted_command
    return counts


# Where a request's time goes, by the profile: (file ending, function) of each part.
PARTS = {
    "waiting for PostgreSQL (every round trip)": ("psycopg/connection.py", "wait"),
    "rendering templates": ("flask/templating.py", "_render"),
    "compressing the answer": ("flask_compress/flask_compress.py", "after_request"),
    "loading the signed-in person (query included)": ("flask_login/login_manager.py", "_load_user"),
}


def shares(stats: pstats.Stats) -> dict:
    """Each part's share of the profiled requests' time (parts may nest: the sign-in query's
    wait is in both the first and the last)."""
    totals = {}
    whole = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        if filename.endswith("bench/server_time.py") and name == "one":
            whole = cumulative
        for part, (ending, function) in PARTS.items():
            if filename.endswith(ending) and name == function:
                totals[part] = totals.get(part, 0.0) + cumulative
    return {part: round(value / whole, 3) for part, value in totals.items()} if whole else {}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None), indent=1))
