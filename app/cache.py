"""A cache for pages that cost many queries but hold nothing personal (the dashboard's panels).

Why it can never show stale figures: every entry's key carries the *data generation* of each
service it covers. A commit that adds, changes or deletes records of a service bumps that
service's generation (records with no service bump the organisation-wide one), so a cached
panel is not invalidated, it is simply never asked for again and expires by itself.

Reports are the records that change all day (every report sent), so a service has two
generations: one for its reports (`REPORT_TABLES`) and one for everything else. An entry built
without reading a report table keys on the second alone, so a new report leaves it cached: of
the dashboard's figures only the report figures are built again (`cached_parts`). Which
entries read reports is not declared but seen: while an entry is built, the tables of every
statement it runs are noted (`note_read_tables`), and until a build has shown that a kind of
entry reads no report table (and nothing unseen), it keys on both generations.

Where it lives: Flask-Caching's `Cache` (app/extensions.py), whose backend `init_cache` picks.
`RedisCache` when `REDIS_URL` is set, shared by every app process (production runs several);
a generation is a Redis counter, bumped by INCR. Without Redis, `SimpleCache`, a dictionary in
this process, which is right for one process (`flask run`, the tests) and for nothing else, so
in production without Redis the backend is `NullCache` and nothing is cached. Redis not
answering leaves every page working: its errors are caught here, each figure is built afresh.
Only commits made through the app's sessions bump generations: scripts that write with raw SQL
(the bulk seed) call `bump_everything()` themselves.

The session and engine listeners at the end are registered by app/hooks.py, with the other
hooks, from `create_app` (see there for why these stay hooks when every other write is explicit).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext, suppress
from contextvars import ContextVar

from flask import current_app, has_app_context
from flask_caching import Cache
from flask_caching.backends import NullCache, RedisCache
from redis.exceptions import RedisError
from sqlalchemy import Table
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import TextClause

from app.extensions import cache as page_cache

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
# A report's own table and the rollups derived from it: written by every report sent, so they
# have a generation of their own (see the module docstring).
REPORT_TABLES = frozenset({"report", "report_rollup", "feedback_delay_rollup"})
TTL_SECONDS = 10 * 60
MEMORY_ENTRIES = 512  # SimpleCache's threshold: values and generation counters together
# A counter in memory lives far longer than any value keyed on it (Redis counters never expire),
# so when one expires and starts again from 0, no value keyed on its old count is left.
GENERATION_SECONDS = 30 * 24 * 60 * 60
KEY_PREFIX = "learnloop:cache:"
_GENERATION = "gen:"


def init_cache(app) -> None:
    """Choose the backend once per app (see the module docstring for why)."""
    if app.config.get("REDIS_URL"):
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": app.config["REDIS_URL"],
            "CACHE_OPTIONS": {"socket_timeout": 1},
            "CACHE_KEY_PREFIX": KEY_PREFIX,
        }
    elif app.config.get("ENV_NAME") != "production":
        # `inc` stores a counter with the default timeout: far longer than any value's, so a
        # generation outlives the entries keyed on it and is the last thing pruned when full.
        config = {
            "CACHE_TYPE": "SimpleCache",
            "CACHE_THRESHOLD": MEMORY_ENTRIES,
            "CACHE_DEFAULT_TIMEOUT": GENERATION_SECONDS,
        }
    else:
        config = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    page_cache.init_app(app, config=config)


def _store() -> Cache | None:
    """The cache, or None where nothing is cached (no app, or production without Redis)."""
    if not has_app_context() or isinstance(page_cache.cache, NullCache):
        return None
    return page_cache


def _generations(store: Cache, names: list[str]) -> list[int]:
    return [value or 0 for value in store.get_many(*(_GENERATION + name for name in names))]


# Flask-Caching's SimpleCache `inc` is a get-then-set (cachelib 0.17 happens to hold its own
# lock around it; this one keeps that true whatever version is installed). A lost bump would let
# a figure built between two commits be served after the second: both commits read 4 and write
# 5, and the figure built after the first, keyed on 5, still matches. Redis's INCR is atomic
# across every process, which a process lock could not be.
_BUMP_LOCK = threading.Lock()


def _bump(store: Cache, names: list[str]) -> None:
    with nullcontext() if isinstance(store.cache, RedisCache) else _BUMP_LOCK:
        for name in names:
            store.cache.inc(_GENERATION + name)  # the backend's: `Cache` does not proxy it


def cached(name: str, service_ids: tuple[int, ...], build) -> str:
    """`build()`'s text for these services, from the cache while their data is unchanged."""
    return cached_parts([(name, name)], service_ids, lambda _index: build())[0]


# Kinds of entry seen, by a build, to read no report table (per process, learnt as they build).
_READS_NO_REPORTS: set[str] = set()


def cached_parts(
    parts: list[tuple[str, str]], service_ids: tuple[int, ...], build: Callable[[int], str]
) -> list[str]:
    """The text of each part, `build(index)` for those not cached while their data stands.

    `parts` are (kind, name) pairs: the name keys the entry (a date range, a day), the kind
    says which code builds it, so what one build of a kind has shown about the tables it reads
    holds for the others. Two round trips to the store for all the parts, whatever their number.
    """
    if (outer := _READING.get()) is not None:
        outer.reads_reports = True  # an entry built from entries: what they read is not seen
    store = _store()
    if store is None:
        return [build(index) for index in range(len(parts))]
    everything = [_ALL, *(str(service_id) for service_id in service_ids)]
    reports = [f"{service_id}:reports" for service_id in service_ids]
    try:
        generations = _generations(store, everything + reports)
        others = _digest(everything, generations[: len(everything)])
        with_reports = _digest(everything + reports, generations)
        keys = [
            f"{name}:{others if kind in _READS_NO_REPORTS else with_reports}"
            for kind, name in parts
        ]
        values = store.get_many(*keys)
    except (OSError, RedisError):  # Redis unreachable: the page still works, just slower
        return [build(index) for index in range(len(parts))]
    for index, (kind, name) in enumerate(parts):
        if values[index] is not None:
            continue
        with noting_reads() as read:
            values[index] = build(index)
        # The generations were read before the build, so what it read decides its key.
        if read.reads_reports:
            _READS_NO_REPORTS.discard(kind)
            key = f"{name}:{with_reports}"
        else:
            _READS_NO_REPORTS.add(kind)
            key = f"{name}:{others}"
        with suppress(OSError, RedisError):  # not kept: the next look builds it again
            store.set(key, values[index], timeout=TTL_SECONDS)
    return values


def _digest(names: list[str], generations: list[int]) -> str:
    """The services and their generations, shortened (an admin's key names fifty services)."""
    text = ".".join(names) + ":" + ".".join(map(str, generations))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def bump_everything() -> None:
    """Forget every cached page (after writes that bypass the ORM, such as the bulk seed)."""
    if store := _store():
        _bump(store, [_ALL])


def clear() -> None:
    """Forget every value and generation (between tests)."""
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
        if not isinstance(service_id, int):
            touched.add(_ALL)
        elif table in REPORT_TABLES:
            touched.add(f"{service_id}:reports")
        else:
            touched.add(str(service_id))


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
            _bump(store, sorted(touched))
        except (OSError, RedisError):
            current_app.logger.warning("Could not bump cache generations %s", sorted(touched))


def forget_touched_services(session) -> None:
    """after_rollback: nothing was saved, so nothing is bumped."""
    session.info.pop(_SERVICES, None)
    session.info.pop(_EVERYTHING, None)


# -- Seeing which tables a cached entry's build reads (registered in app/hooks.py) -------------


class _Reads:
    """What one build read: report tables, or something unseen (raw SQL, a statement sent
    around the ORM session), which counts as reading reports."""

    def __init__(self) -> None:
        self.reads_reports = False
        self.statements = 0
        self.cursor_executes = 0


_READING: ContextVar[_Reads | None] = ContextVar("learnloop_cache_reading", default=None)


@contextmanager
def noting_reads():
    reads = _Reads()
    token = _READING.set(reads)
    try:
        yield reads
    finally:
        _READING.reset(token)
        if reads.cursor_executes > reads.statements:
            reads.reads_reports = True  # a statement the ORM did not show us


def note_read_tables(orm_execute_state) -> None:
    """do_orm_execute: while an entry is built, note whether a statement reads a report table."""
    reads = _READING.get()
    if reads is None:
        return
    reads.statements += 1
    for element in visitors.iterate(orm_execute_state.statement):
        if isinstance(element, TextClause) or (
            isinstance(element, Table) and element.name in REPORT_TABLES
        ):
            reads.reads_reports = True
            return


def count_cursor_executes(*_args) -> None:
    """before_cursor_execute: every statement sent, to compare with those the ORM showed."""
    reads = _READING.get()
    if reads is not None:
        reads.cursor_executes += 1
