"""Every route in app.url_map, for every role and signed out, against the table in
route_table.py: signed-out visitors are sent to sign in (the JSON API may answer 401 instead),
roles too low get 403, and a record of another service or organisation answers 404 (or 403),
never its contents."""

from __future__ import annotations

import pytest
from flask import url_for

from app.extensions import db
from app.models import Role
from tests.conftest import csrf_token_from, sign_in
from tests.functional.route_table import DEVELOPMENT_ROUTES, ROUTES, Access

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
REFUSED = {403, 404}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules()]


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def _request(client, method: str, url: str, token_page: str):
    if method == "GET":
        return client.get(url)
    token = csrf_token_from(client.get(token_page).get_data(as_text=True))
    return client.open(url, method=method, data={"csrf_token": token})


def _make_records(app, access: Access, service_id: int, owner_id: int) -> dict:
    """Make each record; a factory may return a dict when one URL needs several related ids."""
    values = {}
    with app.app_context():
        for name, make in access.records.items():
            made = make(service_id, owner_id)
            values.update(made if isinstance(made, dict) else {name: made})
        db.session.commit()
    return values


def test_every_route_is_in_the_access_table(app):
    missing = sorted({rule.endpoint for rule in _rules(app)} - set(ROUTES))
    assert missing == [], f"Classify these endpoints in tests/functional/route_table.py: {missing}"


def test_signed_out_visitors_are_sent_to_sign_in(app, world):
    problems = []
    for rule in _rules(app):
        access = ROUTES.get(rule.endpoint)
        if access is None:
            continue
        for method in sorted(rule.methods - SKIPPED_METHODS):
            client = app.test_client()
            if access.hidden:
                response = client.open(_url(app, rule.endpoint, {}), method=method)
                if response.status_code != 404:
                    problems.append((method, rule.rule, response.status_code))
                continue
            if access.public:
                if method != "GET" or (rule.arguments - set(access.example)):
                    continue
                response = client.get(_url(app, rule.endpoint, access.example))
                if response.status_code >= 500 or "/login?" in response.headers.get("Location", ""):
                    problems.append((method, rule.rule, response.status_code))
                continue
            values = _make_records(app, access, world.willow.id, world.staff.id)
            response = _request(client, method, _url(app, rule.endpoint, values), "/login")
            location = response.headers.get("Location", "")
            if rule.rule.startswith("/api/") and response.status_code == 401:
                continue  # the JSON API answers 401 instead of a redirect
            if response.status_code != 302 or not location.startswith("/login"):
                problems.append((method, rule.rule, response.status_code, location))
    assert problems == []


ROLE_USERS = {
    Role.STAFF: "staff",
    Role.SUPERVISOR: "supervisor",
    Role.MANAGER: "manager",
    Role.ADMIN: "admin",
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_reaches_only_what_the_table_allows(app, world, role):
    """Too low a role: 403 (or 404). High enough: never 403 or 404 for their own service's
    record, and always 404 or 403 for a record of another service or organisation."""
    user = getattr(world, ROLE_USERS[role])
    # Admins see their whole organisation, so "another service" for them is another organisation.
    elsewhere = [(world.faraway.id, world.faraway_staff.id)]
    if role is not Role.ADMIN:
        elsewhere.append((world.riverside.id, world.riverside_staff.id))
    problems = []
    for rule in _rules(app):
        access = ROUTES.get(rule.endpoint)
        if access is None or access.public:
            continue
        for method in sorted(rule.methods - SKIPPED_METHODS):
            if access.hidden:
                client = app.test_client()
                assert sign_in(client, user.email).status_code == 302
                status = client.open(_url(app, rule.endpoint, {}), method=method).status_code
                if status != 404:
                    problems.append((method, rule.rule, "hidden", status))
                continue
            allowed = user.has_role(access.role)
            cases = [("own service", world.willow.id, user.id)]
            if access.records:
                cases += [("elsewhere", service_id, owner) for service_id, owner in elsewhere]
            for case, service_id, owner_id in cases:
                values = _make_records(app, access, service_id, owner_id)
                client = app.test_client()
                assert sign_in(client, user.email).status_code == 302
                response = _request(client, method, _url(app, rule.endpoint, values), "/")
                status = response.status_code
                if not allowed or case == "elsewhere":
                    ok = status in REFUSED
                else:
                    ok = status not in REFUSED and status < 500
                if not ok:
                    problems.append((method, rule.rule, case, status))
    assert problems == []


def _open_as(app, user, method: str, url: str):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return _request(client, method, url, "/")


def test_development_records_are_read_by_their_subject_writer_and_line_managers(app, world):
    """Supervisions and observations never leak upwards or sideways: for each person of the
    service as the subject, written by someone of another service, each role opens it only
    when they are the subject or above the subject; a draft opens for its observer only."""
    people = [world.staff, world.supervisor, world.manager, world.admin]
    writer = world.riverside_manager
    problems = []
    for endpoint, (make, rule) in DEVELOPMENT_ROUTES.items():
        (url_rule,) = [r for r in _rules(app) if r.endpoint == endpoint]
        method = "GET" if "GET" in url_rule.methods else "POST"
        for subject in people:
            with app.app_context():
                values = make(world.willow.id, subject.id, writer.id)
                db.session.commit()
            url = _url(app, endpoint, values)
            for viewer in people:
                allowed = rule == "line" and (
                    viewer.id == subject.id or viewer.role.rank > subject.role.rank
                )
                status = _open_as(app, viewer, method, url).status_code
                if (status in REFUSED) == allowed or status >= 500:
                    problems.append((endpoint, subject.role.value, viewer.role.value, status))
        # The writer opens what they wrote (for a draft: they alone, and only about others).
        with app.app_context():
            values = make(world.willow.id, world.staff.id, world.supervisor.id)
            db.session.commit()
        status = _open_as(app, world.supervisor, method, _url(app, endpoint, values)).status_code
        if status in REFUSED or status >= 500:
            problems.append((endpoint, "writer", status))
    assert problems == []
