"""The dashboard's figures come from a cache while a service's data is unchanged, and never
show a stale figure: any commit touching the service's records makes the next view fresh."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
import redis

from app import cache
from app.auth.sessions import start_session
from app.extensions import db
from app.models import Action, User, utcnow
from app.models.base import uk_today
from tests.functional.governance_data import add_reports, report_row, when

REDIS = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/10")
URL = "/dashboard?start=2026-01&end=2026-06"


def _dashboard_queries(counter) -> list[str]:
    return [q for q in counter.statements if "sign_in_session" not in q]


def _figures_part(body: str) -> str:
    return body[body.index('<ul class="headlines">') : body.index("</main>")]


def _overdue_actions(body: str) -> str:
    """The headline 'actions overdue' value, as the manager reads it."""
    label = body.index("actions overdue")
    value_end = body.rindex("</span>", 0, label)
    return body[body.rindex(">", 0, value_end) + 1 : value_end]


def _add_action(app, service_id: int, description: str, *, lately: bool = False) -> None:
    """An overdue action: in March 2026 (inside URL's months), or `lately`, made and due two
    days ago, inside the last twelve months whatever today is (two days, so it is overdue by
    the UK's date and by UTC's, which the dashboard counts by, in the hour they differ)."""
    created_at, due_on = when(2026, 3), date(2026, 2, 1)
    if lately:
        created_at, due_on = utcnow() - timedelta(days=2), uk_today() - timedelta(days=2)
    with app.app_context():
        db.session.add(
            Action(
                service_id=service_id,
                description=description,
                due_on=due_on,
                created_at=created_at,
            )
        )
        db.session.commit()


@pytest.fixture
def dashboard_data(app, world):
    with app.app_context():
        add_reports([report_row(world.willow.id, when(2026, m)) for m in range(1, 7)])
    _add_action(app, world.willow.id, "Dry-mop rota")


def test_a_second_view_reuses_the_figures(client, signed_in, world, dashboard_data, count_queries):
    signed_in(world.manager)
    with count_queries() as first:
        first_body = client.get(URL).get_data(as_text=True)
    with count_queries() as second:
        second_body = client.get(URL).get_data(as_text=True)
    assert len(_dashboard_queries(second)) + 10 < len(_dashboard_queries(first))
    assert _figures_part(first_body) == _figures_part(second_body)


def test_a_change_in_the_service_shows_at_once(app, client, signed_in, world, dashboard_data):
    signed_in(world.manager)
    assert _overdue_actions(client.get(URL).get_data(as_text=True)) == "1"
    _add_action(app, world.willow.id, "New MAR chart")
    assert _overdue_actions(client.get(URL).get_data(as_text=True)) == "2"


def test_another_service_s_change_keeps_the_cache(
    app, client, signed_in, world, dashboard_data, count_queries
):
    signed_in(world.manager)
    client.get(URL)
    with count_queries() as cached_view:
        client.get(URL)
    _add_action(app, world.riverside.id, "Riverside's own action")
    with count_queries() as after_other_service:
        body = client.get(URL).get_data(as_text=True)
    assert len(_dashboard_queries(after_other_service)) == len(_dashboard_queries(cached_view))
    assert _overdue_actions(body) == "1"


def test_a_rolled_back_change_does_not_throw_the_cache_away(app, world, dashboard_data):
    built = []
    with app.app_context():
        cache.cached("probe", (world.willow.id,), lambda: built.append(1) or "one")
        db.session.add(Action(service_id=world.willow.id, description="Never saved"))
        db.session.flush()
        db.session.rollback()
        assert cache.cached("probe", (world.willow.id,), lambda: "two") == "one"


@pytest.fixture
def redis_store(app):
    """The production store: Redis, shared by every app process."""
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    client.flushdb()
    previous = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = REDIS
    cache.init_cache(app)
    yield client
    app.config["REDIS_URL"] = previous
    cache.init_cache(app)
    client.flushdb()


def test_redis_store_rebuilds_only_after_the_service_changes(app, world, redis_store):
    built: list[str] = []

    def build() -> str:
        built.append("built")
        return f"figures {len(built)}"

    with app.app_context():
        willow = (world.willow.id,)
        assert cache.cached("dashboard", willow, build) == "figures 1"
        assert cache.cached("dashboard", willow, build) == "figures 1"
    _add_action(app, world.riverside.id, "Elsewhere")
    with app.app_context():
        assert cache.cached("dashboard", willow, build) == "figures 1"
    _add_action(app, world.willow.id, "Here")
    with app.app_context():
        assert cache.cached("dashboard", willow, build) == "figures 2"
    assert list(redis_store.scan_iter("learnloop:cache:*"))


def test_pages_still_work_when_redis_does_not_answer(app, client, signed_in, world, dashboard_data):
    """Redis down: every figure is built afresh and a commit still goes through."""
    previous = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    cache.init_cache(app)
    try:
        signed_in(world.manager)
        assert _overdue_actions(client.get(URL).get_data(as_text=True)) == "1"
        _add_action(app, world.willow.id, "New MAR chart")
        assert _overdue_actions(client.get(URL).get_data(as_text=True)) == "2"
    finally:
        app.config["REDIS_URL"] = previous
        cache.init_cache(app)


def test_in_production_without_redis_nothing_is_cached(app, world):
    """Each app process would keep its own copy, and a commit bumps only its own process's
    generations: another process would serve stale figures, so nothing is kept at all."""
    saved = app.config["ENV_NAME"], app.config.get("REDIS_URL")
    app.config.update(ENV_NAME="production", REDIS_URL=None)
    cache.init_cache(app)
    try:
        with app.app_context():
            assert cache.cached("probe", (world.willow.id,), lambda: "one") == "one"
            assert cache.cached("probe", (world.willow.id,), lambda: "two") == "two"
    finally:
        app.config["ENV_NAME"], app.config["REDIS_URL"] = saved
        cache.init_cache(app)


def test_a_full_memory_cache_drops_figures_before_generations(app, world):
    """A generation dropped would start again from 0 and could meet a figure built under its
    old value: when the cache is full, figures go first."""
    willow = (world.willow.id,)
    with app.app_context():
        cache.bump_everything()
        before = cache._generations(cache._store(), ["all", str(world.willow.id)])
        parts = [("many", f"part {n}") for n in range(cache.MEMORY_ENTRIES + 100)]
        cache.cached_parts(parts, willow, str)
        assert cache._generations(cache._store(), ["all", str(world.willow.id)]) == before


def test_no_generation_bump_is_lost_when_commits_come_at_once(app):
    """Eight threads committing at once in one process: every bump counts, so a figure built
    between two commits is never served after the second."""
    import sys
    import threading

    def bump_many():
        with app.app_context():
            for _ in range(200):
                cache.bump_everything()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a busy server would
    try:
        threads = [threading.Thread(target=bump_many) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    with app.app_context():
        assert cache._generations(cache._store(), ["all"]) == [1600]


def test_someone_signing_in_does_not_throw_the_cache_away(
    app, client, signed_in, world, dashboard_data, count_queries
):
    signed_in(world.manager)
    client.get(URL)
    with app.app_context():  # the carer signs in on their phone: a session row, an audit entry
        start_session(db.session.get(User, world.staff.id))
    with count_queries() as view:
        client.get(URL)
    assert len(_dashboard_queries(view)) < 10


# -- A new report rebuilds only the figures that read reports ---------------------------------

NOW_URL = "/dashboard"  # the last twelve months: a report sent now is in them


def _headline(body: str, label: str) -> str:
    """The big number shown above `label`, as the manager reads it."""
    at = body.index(label)
    value_end = body.rindex("</span>", 0, at)
    return body[body.rindex(">", 0, value_end) + 1 : value_end]


def _send_report(app, user_id: int, **answers):
    """A care worker sends a named report, through the same function as the form and the API."""
    from app.reports.services import submit_report

    with app.app_context():
        reporter = db.session.get(User, user_id)
        result = submit_report(
            reporter,
            {
                "description": "The walking frame was out of reach by the bed.",
                "kind": "near_miss",
                "category": "falls",
                "time_bracket": "unknown",
                **answers,
            },
        )
        db.session.commit()
        return result.report.id


def _tables_read(counter) -> set[str]:
    names = ("report_rollup", "feedback_delay_rollup", "action", "debrief", "workaround_flag")
    return {name for name in names for q in counter.statements if f"FROM {name}" in q}


def test_a_new_report_shows_at_once_and_other_figures_stay_cached(
    app, client, signed_in, world, dashboard_data, count_queries
):
    signed_in(world.manager)
    _add_action(app, world.willow.id, "Check the sensor mats", lately=True)
    before = client.get(NOW_URL).get_data(as_text=True)
    client.get(NOW_URL)  # every figure now known to read reports, or not
    _send_report(app, world.staff.id)
    with count_queries() as after_report:
        after = client.get(NOW_URL).get_data(as_text=True)
    label = "reports in this period"
    assert int(_headline(after, label)) == int(_headline(before, label)) + 1
    assert _tables_read(after_report) == {"report_rollup", "feedback_delay_rollup"}
    overdue = int(
        _overdue_actions(before)
    )  # the fixture's March 2026 action counts until March 2027
    assert overdue >= 1 and int(_overdue_actions(after)) == overdue
    # Not a report: the actions figure is rebuilt.
    _add_action(app, world.willow.id, "New MAR chart", lately=True)
    assert int(_overdue_actions(client.get(NOW_URL).get_data(as_text=True))) == overdue + 1


def test_a_status_change_on_an_old_report_shows_at_once(app, client, signed_in, world):
    """Learning shared on a report already counted changes the figures at once."""
    from app.models import Report, ReportStatus
    from app.reports.services import set_status

    reported = _send_report(app, world.staff.id)
    signed_in(world.manager)
    label = "of reports had learning shared"
    assert _headline(client.get(NOW_URL).get_data(as_text=True), label) == "0%"
    with app.app_context():
        report = db.session.get(Report, reported)
        set_status(report, ReportStatus.LEARNING_SHARED)
        db.session.commit()
    assert _headline(client.get(NOW_URL).get_data(as_text=True), label) == "100%"


def test_an_entry_that_once_read_no_report_is_rebuilt_when_it_reads_one(app, world):
    """What one build showed about its reads never lets a later build that read reports be kept
    under a key a new report leaves alone; a statement the ORM did not show counts as one."""
    from sqlalchemy import func, select, text

    from app.models import Report

    willow = (world.willow.id,)

    def count_actions() -> str:
        return str(db.session.scalar(select(func.count()).select_from(Action)))

    def count_reports() -> str:
        return str(db.session.scalar(select(func.count()).select_from(Report)))

    def count_reports_in_raw_sql() -> str:
        return str(db.session.execute(text("SELECT count(*) FROM report")).scalar())

    def count_reports_around_the_session() -> str:
        return str(db.session.connection().exec_driver_sql("SELECT count(*) FROM report").scalar())

    builds = {
        "orm": count_reports,
        "raw": count_reports_in_raw_sql,
        "around": count_reports_around_the_session,
    }
    with app.app_context():
        for kind, build in builds.items():
            cache.cached_parts([(kind, f"{kind}:a")], willow, lambda _i: count_actions())
            assert cache.cached_parts([(kind, f"{kind}:b")], willow, lambda _i, b=build: b()) == [
                "0"
            ]
            assert cache.cached_parts([(kind, f"{kind}:b")], willow, lambda _i: "stale") == ["0"]
    _send_report(app, world.staff.id)
    with app.app_context():
        for kind, build in builds.items():
            assert cache.cached_parts([(kind, f"{kind}:b")], willow, lambda _i, b=build: b()) == [
                "1"
            ], kind


def test_an_entry_built_from_cached_entries_is_rebuilt_when_a_report_comes(app, world):
    """Its build cannot see what the entries it reused read, so it keys on reports too."""
    from sqlalchemy import func, select

    from app.models import Report

    willow = (world.willow.id,)

    def reports() -> str:
        def count(_index: int) -> str:
            return str(db.session.scalar(select(func.count()).select_from(Report)))

        return cache.cached_parts([("inner", "inner")], willow, count)[0]

    def outer(_index: int) -> str:
        return "reports: " + reports()

    with app.app_context():
        reports()  # cached now: the outer build below reads it without a statement
        assert cache.cached_parts([("outer", "outer")], willow, outer) == ["reports: 0"]
    _send_report(app, world.staff.id)
    with app.app_context():
        assert cache.cached_parts([("outer", "outer")], willow, outer) == ["reports: 1"]
