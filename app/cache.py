"""A cache for pages that cost many queries but hold nothing personal (the dashboard's panels).

Why it can never show stale figures: every entry's key carries the *data generation* of each
service it covers. A commit that adds, changes or deletes records of a service bumps that
service's generation (records with no service bump the organisation-wide one), so a cached
panel is not invalidated, it is simply never asked for again and expires by itself.

Where it lives: Redis when `REDIS_URL` is set, shared by every app process (production runs
several). Without Redis, a dictionary in this process, which is right for one process
(`flask run`, the tests) and for nothing else, so in production without Redis nothing is
cached. Only commits made through the app's sessions bump generations: scripts that write
with raw SQL (the bulk seed) call `bump_everything()` themselves.

The four session listeners at the end are registered by app/hooks.py, with the other hooks,
from `create_app` (see there for why these stay hooks when every other write is explicit).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, has_app_context
from redis.exceptions import RedisError

_SERVICES = "learnloop.cache.services"  # session.info: services touched in this transaction
_EVERYTHING = "learnloop.cache.everything"
_ALL = "all"  # the generation every key carries: records without a service
# Rows that never feed a shared page: touching them must not throw the cache away.
IGNORED_TABLES = frozenset(
    {
        "sign_in_session",
        "notification",
        "outbound_email",
        "audit_entry",
        "audit_head",
        "recovery_code",
        "email_preference",
        # Derived from reports, which bump their own service when they change.
        "report_rollup",
        "feedback_delay_rollup",
    }
)
TTL_SECONDS = 10 * 60
MEMORY_ENTRIES = 512


class MemoryStore:
    """One process's store: a small LRU of (expiry, value) plus counters."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._counters: dict[str, int] = {}

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._values.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self._values.move_to_end(key)
            return entry[1]

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + ttl, value)
            self._values.move_to_end(key)
            while len(self._values) > MEMORY_ENTRIES:
                self._values.popitem(last=False)

    def generations(self, names: list[str]) -> list[int]:
        with self._lock:
            return [self._counters.get(name, 0) for name in names]

    def bump(self, names: list[str]) -> None:
        with self._lock:
            for name in names:
                self._counters[name] = self._counters.get(name, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._counters.clear()


class RedisStore:
    """The shared store: values expire by themselves; generations are plain counters."""

    PREFIX = "learnloop:cache:"

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, decode_responses=True)

    def get(self, key: str) -> str | None:
        return self._redis.get(self.PREFIX + key)

    def set(self, key: str, value: str, ttl: int) -> None:
        self._redis.set(self.PREFIX + key, value, ex=ttl)

    def generations(self, names: list[str]) -> list[int]:
        values = self._redis.mget([self.PREFIX + "gen:" + name for name in names])
        return [int(value or 0) for value in values]

    def bump(self, names: list[str]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.incr(self.PREFIX + "gen:" + name)
        pipe.execute()

    def clear(self) -> None:
        keys = list(self._redis.scan_iter(self.PREFIX + "*"))
        if keys:
            self._redis.delete(*keys)


def init_cache(app) -> None:
    """Choose the store once per app (see the module docstring for why)."""
    if app.config.get("REDIS_URL"):
        app.extensions["learnloop_cache"] = RedisStore(app.config["REDIS_URL"])
    elif app.config.get("ENV_NAME") != "production":
        app.extensions["learnloop_cache"] = MemoryStore()
    else:
        app.extensions["learnloop_cache"] = None


def _store() -> MemoryStore | RedisStore | None:
    return current_app.extensions.get("learnloop_cache") if has_app_context() else None


def cached(name: str, service_ids: tuple[int, ...], build) -> str:
    """`build()`'s text for these services, from the cache while their data is unchanged."""
    store = _store()
    if store is None:
        return build()
    names = [_ALL, *(str(service_id) for service_id in service_ids)]
    try:
        generations = store.generations(names)
        key = f"{name}:{'.'.join(names)}:{'.'.join(map(str, generations))}"
        value = store.get(key)
    except (OSError, RedisError):  # Redis unreachable: the page still works, just slower
        return build()
    if value is None:
        value = build()
        store.set(key, value, TTL_SECONDS)
    return value


def bump_everything() -> None:
    """Forget every cached page (after writes that bypass the ORM, such as the bulk seed)."""
    if store := _store():
        store.bump([_ALL])


def clear() -> None:
    if store := _store():
        store.clear()


# -- Noting which services a transaction touched (registered in app/hooks.py) ------------------


def note_flushed_services(session, _context) -> None:
    """after_flush: note the service of every row added, changed or deleted."""
    touched = session.info.setdefault(_SERVICES, set())
    for obj in [*session.new, *session.dirty, *session.deleted]:
        table = getattr(obj, "__tablename__", None)
        if table in IGNORED_TABLES:
            continue
        service_id = getattr(obj, "service_id", None)
        touched.add(str(service_id) if isinstance(service_id, int) else _ALL)


def note_bulk_statements(orm_execute_state) -> None:
    """Bulk statements (`session.execute(update(...))`) count as touching everything."""
    if not (
        orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete
    ):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    if getattr(table, "name", None) not in IGNORED_TABLES:
        orm_execute_state.session.info[_EVERYTHING] = True


def bump_generations(session) -> None:
    """after_commit: the services this transaction touched get a new generation."""
    touched = session.info.pop(_SERVICES, set())
    if session.info.pop(_EVERYTHING, False):
        touched = {_ALL}
    store = _store()
    if touched and store is not None:
        try:
            store.bump(sorted(touched))
        except (OSError, RedisError):
            current_app.logger.warning("Could not bump cache generations %s", sorted(touched))


def forget_touched_services(session) -> None:
    """after_rollback: nothing was saved, so nothing is bumped."""
    session.info.pop(_SERVICES, None)
    session.info.pop(_EVERYTHING, None)
