"""The dashboard's figures come from a cache while a service's data is unchanged, and never
show a stale figure: any commit touching the service's records makes the next view fresh."""

from __future__ import annotations

import os
from datetime import date

import pytest
import redis

from app import cache
from app.auth.sessions import start_session
from app.extensions import db
from app.models import Action, User
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


def _add_action(app, service_id: int, description: str) -> None:
    with app.app_context():
        db.session.add(
            Action(
                service_id=service_id,
                description=description,
                due_on=date(2026, 2, 1),
                created_at=when(2026, 3),
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
    memory = app.extensions["learnloop_cache"]
    app.extensions["learnloop_cache"] = cache.RedisStore(REDIS)
    yield client
    app.extensions["learnloop_cache"] = memory
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
