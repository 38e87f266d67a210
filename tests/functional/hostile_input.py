"""Hostile values and the pages' own forms, for the property-based walks in
test_hostile_input.py.

`crawl()` opens every GET page of the route table (with a record of the signed-in person's own
service for each id, made by the table's factories) and reads each <form> on it: where it
posts, and each field with the values the page offers (options, checkboxes, what is filled
in). A walk then sends each form back with the page's own values, except that Hypothesis
swaps some fields for hostile ones: so a hostile value reaches the code behind a form whose
other answers are valid, which is where a 500 hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import url_for
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.extensions import db
from tests.conftest import csrf_token_from, sign_in
from tests.functional.route_table import ROUTES

# Values that broke pages before, and their cousins.
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "care\x00worker",
    "\x00" * 3,
    "0",
    "-1",
    "2147483648",
    "99999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202eevil",
    "\U0001f600",
    "\r\n\t",
    "%00",
    "../../etc/passwd",
    "x" * 6000,
    "true",
    "on",
    "[]",
    "{}",
]

# Text with any character that can travel in a form (no lone surrogates: a browser cannot send
# them; the JSON walk sends those).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
hostile_value = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    any_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)

# Query parameters the pages read, besides those of their GET forms.
QUERY_NAMES = [
    "page",
    "service",
    "service_id",
    "report",
    "report_id",
    "restriction_id",
    "staff_id",
    "supervisee_id",
    "person",
    "person_reference",
    "link",
    "next",
    "q",
    "start",
    "end",
    "since",
    "until",
    "kind",
    "status",
    "month",
]


# A plain valid answer for an empty field, by its input type.
PLAIN = {
    "date": "2025-01-06",
    "datetime-local": "2025-01-06T10:00",
    "time": "10:00",
    "number": "5",
    "email": "someone@example.org",
    "password": "correct horse battery",
}


@dataclass
class Form:
    """One <form> on a page: where it goes, and each field's offered values."""

    method: str
    action: str
    page: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.action).path


class _FormReader(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = attributes.get("method", "get").upper()
            action = attributes.get("action") or self.page
            self.forms.append(Form(method, action, self.page))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                if kind == "submit" and attributes.get("value"):
                    form.fields.setdefault(name, []).append(attributes["value"])
                return
            value = attributes.get("value", "on" if kind in {"checkbox", "radio"} else "")
            form.fields.setdefault(name, []).append(value)
            form.types[name] = kind
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields.setdefault(name, [])
        elif tag == "select" and name:
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select and attributes.get("value"):
            form.fields[self._select].append(attributes["value"])

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.forms and data.strip():
            self.forms[-1].fields[self._textarea].append(data.strip())


def read_forms(page: str, html: str) -> list[Form]:
    reader = _FormReader(page)
    reader.feed(html)
    return reader.forms


def route_urls(app, service_id: int, owner_id: int) -> list[tuple[str, str, set[str]]]:
    """(endpoint, url, methods) for every route of the table, with records to name."""
    urls = []
    for rule in app.url_map.iter_rules():
        access = ROUTES.get(rule.endpoint)
        if access is None or rule.endpoint == "static":
            continue
        values = dict(access.example)
        with app.app_context():
            for name, make in access.records.items():
                made = make(service_id, owner_id)
                values.update(made if isinstance(made, dict) else {name: made})
            db.session.commit()
        if rule.arguments - set(values):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        urls.append((rule.endpoint, url, set(rule.methods) - {"HEAD", "OPTIONS"}))
    return urls


def crawl(client, urls) -> list[Form]:
    """Every form on every GET page (each post form once per action)."""
    forms: dict[tuple[str, str], Form] = {}
    for _endpoint, url, methods in urls:
        if "GET" not in methods or url.startswith(("/logout", "/api/", "/sw.js")):
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.mimetype:
            continue
        for form in read_forms(url, response.get_data(as_text=True)):
            if form.action.startswith(("/logout", "http")):
                continue
            forms.setdefault((form.method, form.action), form)
    return list(forms.values())


def filled(form: Form, hostile_fields: dict[str, str], token: str | None) -> MultiDict:
    """The form's own first value for each field, with the hostile ones swapped in."""
    data = []
    for name, offered in form.fields.items():
        if name == "csrf_token":
            continue
        if name in hostile_fields:
            data.append((name, hostile_fields[name]))
        elif form.types.get(name) == "hidden":
            data.extend((name, value) for value in offered)
        elif any(offered):
            data.append((name, [value for value in offered if value][-1]))
        else:
            data.append((name, PLAIN.get(form.types.get(name, "text"), "Route check")))
    if token:
        data.append(("csrf_token", token))
    return MultiDict(data)


class Visitor:
    """A signed-in client that signs in again if a form signed it out."""

    def __init__(self, app, user):
        self.app, self.user = app, user
        self.client = app.test_client()
        self.token = ""
        self.refresh()

    def refresh(self):
        self.client = self.app.test_client()
        signed_in = sign_in(self.client, self.user.email)
        assert signed_in.status_code == 302, signed_in.status_code
        home = self.client.get("/")
        assert home.status_code == 200, (home.status_code, home.headers.get("Location"))
        self.token = csrf_token_from(home.get_data(as_text=True))

    def send(self, method: str, url: str, data=None):
        if method == "GET":
            response = self.client.get(url, query_string=data)
        else:
            response = self.client.open(url, method=method, data=data)
        if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
            self.refresh()
        return response
