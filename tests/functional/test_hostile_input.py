"""No route answers 5xx to any input (property-based, with Hypothesis).

Three walks, each on SQLite and PostgreSQL (TEST_DATABASE_URL):
- every route of the route table, with hostile values in each part of its URL and in the
  query parameters the pages read;
- every field of every form on every page (read from the pages themselves, see
  hostile_input.py), first each field alone with the values that broke pages before, then
  Hypothesis's mixes of hostile values in some fields and the page's own values in the rest;
- every field of every JSON body of /api/v1, with hostile JSON values (lone surrogates,
  out-of-range times, wrong types, deep nesting).

The app runs with TESTING on, so an exception in a view is raised here rather than hidden in
a 500 page. Runs are repeatable: a fixed number of examples, derandomized, no example database.
"""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import ChecklistItem, ChecklistTemplate
from tests.functional.hostile_input import (
    HOSTILE_TEXT,
    QUERY_NAMES,
    Visitor,
    crawl,
    filled,
    hostile_value,
    route_urls,
)

pytestmark = pytest.mark.walks  # the date plays no part: not repeated on the fixed dates


def repeatable(examples: int):
    """The same examples on every run, and few enough that each walk takes about a minute."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


REPEATABLE = repeatable(4)
# Pages that build a PDF or an archive are slow: one example each is enough for their inputs.
SLOW = {"governance.evidence_pdf", "governance.evidence_zip"}
# Each form field alone with these, before the random mixes (which also send far-off dates).
EACH_FIELD = ["care\x00worker", "99999999999999999999999"]
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _ok(response, what) -> None:
    assert response.status_code < 500, (what, response.status_code)


def _hostile_path(rule) -> st.SearchStrategy[str]:
    """The rule's URL with each argument a hostile value (ints: huge, zero, negative)."""
    parts = []
    for converter, name in ARGUMENT.findall(rule.rule):
        if converter == "int":
            parts.append((name, st.integers(min_value=0, max_value=10**30).map(str)))
        else:
            parts.append((name, hostile_value.filter(bool).map(lambda v: quote(v, safe=""))))
    names = [name for name, _ in parts]

    def build(values):
        url = rule.rule
        for name, value in zip(names, values, strict=True):
            url = ARGUMENT.sub(lambda m, n=name, v=value: v if m[2] == n else m[0], url)
        return url

    return st.tuples(*[strategy for _, strategy in parts]).map(build)


def test_every_route_takes_hostile_urls_and_query_strings(app, world):
    visitor = Visitor(app, world.admin)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in {"static", "auth.logout"}]
    for rule in rules:
        _visit_rule(visitor, rule)()


def _visit_rule(visitor, rule):
    methods = sorted(set(rule.methods) - {"HEAD", "OPTIONS"})

    @repeatable(1 if rule.endpoint in SLOW else 4)
    @given(
        url=_hostile_path(rule) if rule.arguments else st.just(rule.rule),
        query=st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_value, max_size=3),
    )
    def visit(url, query):
        for method in methods:
            data = query if method == "GET" else {**query, "csrf_token": visitor.token}
            _ok(visitor.send(method, url, data), (method, url, query))

    return visit


def _own_service_forms(app, world):
    visitor = Visitor(app, world.admin)
    urls = route_urls(app, world.willow.id, world.admin.id)
    forms = crawl(visitor.client, urls)
    assert len([f for f in forms if f.method == "POST"]) > 40, "the crawl found too few forms"
    return visitor, forms


def _send_form(visitor, form, hostile: dict):
    data = filled(form, hostile, visitor.token if form.method == "POST" else None)
    response = visitor.send(form.method, form.action, data)
    _ok(response, (form.method, form.action, hostile))


def test_every_form_field_takes_hostile_values(app, world):
    visitor, forms = _own_service_forms(app, world)
    for form in forms:
        names = [name for name in form.fields if name != "csrf_token"]
        for name in names:
            for value in EACH_FIELD:
                _send_form(visitor, form, {name: value})
        if names:
            _fill_form(visitor, form, names)()


def _fill_form(visitor, form, names):
    @repeatable(3)
    @given(hostile=st.dictionaries(st.sampled_from(names), hostile_value, min_size=1, max_size=4))
    def fill(hostile):
        _send_form(visitor, form, hostile)

    return fill


# ---- The JSON API: every field of every body. ---------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(HOSTILE_TEXT + ["\ud800", "a\udfffb"])
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _bodies(app, world) -> dict[str, dict]:
    with app.app_context():
        template = ChecklistTemplate(
            service_id=world.willow.id, name="Hand hygiene", items=[ChecklistItem(text="Washes")]
        )
        db.session.add(template)
        db.session.commit()
        template_id, item_id = template.id, template.items[0].id
    return {
        "/api/v1/reports": {
            "description": "Nearly slipped on a wet floor",
            "kind": "near_miss",
            "category": "falls",
            "time_bracket": "day_shift",
            "occurred_on": "2025-01-06",
            "location": "Lounge",
            "device_time": "2025-01-06T10:00:00+00:00",
            "follow_up": {"what_helped": "Sign out"},
            "follow_up_surface": "wet",
            "anonymous": False,
        },
        "/api/v1/reflections": {
            "template": "helped_hindered",
            "answers": {"helped": "The handover"},
            "helped": "Team",
            "link": "",
            "shared": False,
            "workaround": "",
            "device_time": "2025-01-06T10:00:00+00:00",
        },
        "/api/v1/observations": {
            "staff_id": world.staff.id,
            "template_id": template_id,
            "items": {str(item_id): {"result": "met", "note": "Good"}},
            f"item-{item_id}": "met",
            "outcome": "competent",
            "summary": "Well done",
            "observed_on": "2025-01-06",
            "actions": [{"description": "Keep going", "due_on": "2025-02-06"}],
            "device_time": "2025-01-06T10:00:00+00:00",
        },
    }


def _post_json(visitor, url: str, body) -> None:
    raw = body if isinstance(body, str) else json.dumps(body)
    response = visitor.client.post(
        url, data=raw, content_type="application/json", headers={"X-CSRFToken": visitor.token}
    )
    _ok(response, (url, raw[:200]))
    assert response.is_json, (url, response.status_code)


def test_every_api_field_takes_hostile_json(app, world):
    visitor = Visitor(app, world.supervisor)
    for url, body in _bodies(app, world).items():
        names = [*body, "client_id"]
        accepted = visitor.client.post(
            url,
            json={**body, "client_id": str(uuid.uuid4())},
            headers={"X-CSRFToken": visitor.token},
        )
        assert accepted.status_code == 201, (url, accepted.get_json())  # hostile values go deep
        for name in names:
            for value in [
                "\ud800",
                "9999-12-31T23:59:59-23:59",
                "0001-01-01T00:00:00+14:00",
                "text",
                2**70,
                -1,
                [],
                {},
                None,
                "care\x00worker",
            ]:
                _post_json(visitor, url, {**body, "client_id": str(uuid.uuid4()), name: value})
        _send_bodies(visitor, url, body, names)()


def _send_bodies(visitor, url, body, names):
    @REPEATABLE
    @given(hostile=st.dictionaries(st.sampled_from(names), json_values, min_size=1, max_size=3))
    def send(hostile):
        _post_json(visitor, url, {**body, "client_id": str(uuid.uuid4()), **hostile})

    return send


def test_the_api_refuses_what_broke_it_with_a_clear_message(app, world):
    """The bodies of the security review, each answered 400 with a message, nothing saved."""
    visitor = Visitor(app, world.staff)
    base = {"description": "Slipped", "kind": "near_miss", "category": "falls"}
    cases = [
        {**base, "device_time": "9999-12-31T23:59:59-23:59"},
        {**base, "device_time": "0001-01-01T00:00:00+14:00"},
        {**base, "description": "lone \ud800 half"},
        {**base, "follow_up": "a string", "follow_up_surface": "wet"},
    ]
    for body in cases:
        response = visitor.client.post(
            "/api/v1/reports",
            data=json.dumps({**body, "client_id": str(uuid.uuid4())}),
            content_type="application/json",
            headers={"X-CSRFToken": visitor.token},
        )
        assert response.status_code == 400, (body, response.status_code)
        assert response.get_json()["error"]
    deep = "[" * 5000 + "]" * 5000
    for url in ("/api/v1/reports", "/api/v1/reflections", "/api/v1/observations"):
        response = visitor.client.post(
            url, data=deep, content_type="application/json", headers={"X-CSRFToken": visitor.token}
        )
        assert response.status_code == 400
        assert "nested" in response.get_json()["error"]
    from app.models import Report

    with app.app_context():
        assert db.session.query(Report).count() == 0
