"""Shared fixtures: one app per test run on a freshly migrated database, emptied after each test.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set
(`make test` runs the suite on both). The schema comes from the migrations, not create_all,
so every run also proves the migrations work.

Requests in tests run exactly as in production, each in its own app context: we switch off
pytest-flask's habit of pushing one request context around the whole test, which would
share `g` (and so the signed-in user) between requests. Test code that touches the database
opens `with app.app_context():` itself.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from datetime import date, datetime

import pytest
import time_machine
from argon2 import PasswordHasher
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

import app.models.people as people_models
from app import cache, create_app
from app.extensions import db, limiter
from app.models import Base, Organisation, Role, Service, ServiceKind, User
from app.reports import categories
from tests.mailbox import LocalMailbox

PASSWORD = "correct horse battery"  # noqa: S105
TEST_NOW = "LEARNLOOP_TEST_NOW"


def pytest_configure(config):
    """With LEARNLOOP_TEST_NOW set (an ISO 8601 time with its offset), the whole run starts then.

    CI runs the fast suite on the dates that break date arithmetic (1 January, 29 February,
    the UK clock changes, New Year's Eve late at night): see scripts/fixed-dates.sh. The clock
    keeps ticking from that moment, so timeouts and durations behave as on any other day.
    """
    chosen = os.environ.get(TEST_NOW)
    if not chosen:
        return
    start = datetime.fromisoformat(chosen)
    if start.tzinfo is None:
        raise pytest.UsageError(f"{TEST_NOW} needs an offset, e.g. 2027-10-31T01:30:00+01:00")
    traveller = time_machine.travel(start, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    chosen = os.environ.get(TEST_NOW)
    return f"{TEST_NOW}: the clock starts at {chosen}" if chosen else None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'learnloop-test.sqlite3'}"


def _empty_schema(url: str) -> None:
    """Start from nothing, so the migrations build the whole schema."""
    if url.startswith("sqlite"):
        return
    db.session.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
    db.session.execute(text("CREATE SCHEMA public"))
    db.session.commit()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    # Cheap hashing keeps the suite fast; production uses argon2-cffi's recommended cost.
    people_models._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    application = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with application.app_context():
        _empty_schema(database_url)
        upgrade()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def _push_request_context():
    """Overrides pytest-flask's fixture of the same name: see the module docstring."""
    yield


@pytest.fixture(autouse=True)
def _clean_slate(request):
    """Empty every table and forget rate-limit counts after each test."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            _truncate(tables)
        else:
            # Foreign keys are checked row by row on SQLite; the tables all go, so skip that.
            db.session.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608  (our table names)
            db.session.execute(text("PRAGMA foreign_keys=ON"))
        db.session.commit()
        limiter.reset()
        cache.clear()
        categories.forget_kept_orders()


def _truncate(tables: list[str], attempts: int = 3) -> None:
    """A background mail thread still finishing can deadlock the TRUNCATE now and then, and
    PostgreSQL may pick the TRUNCATE as the victim: try again after a moment."""
    for attempt in range(1, attempts + 1):
        try:
            db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            db.session.commit()
            return
        except OperationalError as error:
            db.session.rollback()
            if attempt == attempts or "deadlock" not in str(error.orig).lower():
                raise
            time.sleep(0.2 * attempt)


class World:
    """Two services in one organisation and one in another, with a person in each role."""

    def __init__(self):
        org = Organisation(name="Test Care Group")
        other_org = Organisation(name="Elsewhere Care")
        db.session.add_all([org, other_org])
        db.session.flush()
        self.willow = Service(
            organisation_id=org.id, name="Willow House", kind=ServiceKind.CARE_HOME
        )
        self.riverside = Service(
            organisation_id=org.id, name="Riverside", kind=ServiceKind.SUPPORTED_LIVING
        )
        self.faraway = Service(
            organisation_id=other_org.id, name="Faraway", kind=ServiceKind.HOME_CARE
        )
        db.session.add_all([self.willow, self.riverside, self.faraway])
        db.session.flush()
        self.staff = self.person("carer@willow.example.org", Role.STAFF, self.willow)
        self.supervisor = self.person("supervisor@willow.example.org", Role.SUPERVISOR, self.willow)
        self.manager = self.person("manager@willow.example.org", Role.MANAGER, self.willow)
        self.admin = self.person("admin@willow.example.org", Role.ADMIN, self.willow)
        self.riverside_manager = self.person(
            "manager@riverside.example.org", Role.MANAGER, self.riverside
        )
        self.riverside_staff = self.person(
            "carer@riverside.example.org", Role.STAFF, self.riverside
        )
        self.faraway_admin = self.person("admin@faraway.example.org", Role.ADMIN, self.faraway)
        self.faraway_staff = self.person("carer@faraway.example.org", Role.STAFF, self.faraway)
        db.session.commit()
        for record in list(db.session.identity_map.values()):
            db.session.refresh(record)  # load every column, so they read fine once detached
        db.session.expunge_all()

    def person(self, email: str, role: Role, service: Service, started_on: date | None = None):
        name = email.split("@")[0].title() + " " + service.name.split()[0]
        user = User(name=name, email=email, role=role, service_id=service.id, started_on=started_on)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        return user


@pytest.fixture
def world(app) -> World:
    """Build the test world. Its records are detached: read their columns, not relationships."""
    with app.app_context():
        return World()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """Sign in through the real form, sending the real CSRF token."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, **extra}
    )


def post_form(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """POST `data` to `url` with a CSRF token taken from `page_url` (or the home page)."""
    page = client.get(page_url or "/")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


@pytest.fixture
def signed_in(client, world):
    """Call signed_in(world.manager) to sign that person in on `client`."""

    def _sign_in(user: User):
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _sign_in


@pytest.fixture
def mailbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 that the app sends to for this test; read `.messages`."""
    server = LocalMailbox().start()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql_only` (a server to close connections, say) are left out of a
    SQLite run rather than skipped: CI counts a skip as a failure, and these run in the
    PostgreSQL pass of the same suite."""
    if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"):
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql_only")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a skipped test there is a failure."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped"):
        reporter.write_line("CI=true: skipped tests count as failures.", red=True)
        session.exitstatus = 1


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counted: client.get(...)`, then assert on `counted.count`.

    Pins the number of queries a page makes, so an N+1 fails a test instead of a server.
    """

    @contextmanager
    def _count():
        with app.app_context():
            engine = db.engine
        counter = QueryCounter()

        def on_execute(_conn, _cursor, statement, *_args):
            counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)

    return _count
