"""Share links: a manager shares the evidence pack with inspectors and commissioners, who read
it without an account; nothing personal leaves, small numbers are suppressed, and every
creation, view and revocation is audited."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.governance.figures import today
from app.governance.sharing import FEWER, Watchlist, name_parts, suppress_text
from app.models import AuditEntry, Debrief, EvidenceShare, Role, User
from app.models.base import add_months
from tests.conftest import PASSWORD
from tests.functional.governance_data import add_reports, report_row

# What the seeded records hold that must never leave through a link.
STAFF_NAME = "Grace Okafor"
REFERENCES = ("Room 12", "Flat 3B")
SECRETS = ("Grace", "Okafor", *REFERENCES)


class _Form(HTMLParser):
    """The fields of the creation page's POST form, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_post = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_post = attrs.get("method") == "post"
        if not self._in_post:
            return
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.fields[attrs["name"]] = attrs.get("value") or ""
        if tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        if tag == "form":
            self._in_post = False

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


def last_month_day(day: int = 10) -> datetime:
    """A day last month: inside the default twelve months, whatever today is."""
    month = add_months(today().replace(day=1), -1)
    return datetime(month.year, month.month, day, 12, tzinfo=UTC)


def seed_learning(app, world, *, small_month_reports: int = 3) -> None:
    """A staff member, person references in three kinds of record, a report's learning and a
    debrief summary that name them, and report counts for the small-number rule."""
    when = last_month_day()
    earlier = when - timedelta(days=31)
    with app.app_context():
        grace = User(
            name=STAFF_NAME,
            email="grace@willow.example.org",
            role=Role.STAFF,
            service_id=world.willow.id,
        )
        grace.set_password(PASSWORD)
        db.session.add(grace)
        rows = [
            report_row(
                world.willow.id,
                when,
                person_reference="Room 12",
                reporter_id=world.staff.id,
                learning_outcome="Grace Okafor spotted the wet floor; Flat 3B had the same leak.",
            ),
            report_row(world.riverside.id, when, person_reference="Flat 3B"),
        ]
        rows += [report_row(world.willow.id, when) for _ in range(small_month_reports - 1)]
        rows += [report_row(world.willow.id, earlier) for _ in range(6)]
        add_reports(rows)
        db.session.add(
            Debrief(
                service_id=world.willow.id,
                held_on=when.date(),
                facilitator_id=world.manager.id,
                created_by_id=world.manager.id,
                closed_at=when,
                learning_summary="okafor and the night team agreed to check room 12's sensor.",
            )
        )
        db.session.commit()


def open_form(client) -> str:
    response = client.get("/evidence/shares/new")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def story_index(fields: dict, words: str) -> int:
    for name, value in fields.items():
        if name.endswith("-text") and words in value:
            return int(name.split("-")[1])
    raise AssertionError(f"no story with {words!r}")


def tick_all(fields: dict) -> dict:
    for name in list(fields):
        if name.endswith("-title"):
            fields[name.replace("-title", "-include")] = "yes"
    return fields


def make_link(client, **changes) -> tuple[str, str]:
    """Make a link with no stories through the real form: (the link's path, the page)."""
    fields = form_fields(open_form(client))
    fields.update(changes)
    response = client.post("/evidence/shares/new", data=fields)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    link = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', body).group(1)
    return "/" + link.split("://", 1)[1].split("/", 1)[1], body


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def assert_clean(text: str, *more: str) -> None:
    lowered = text.casefold()
    for secret in (*SECRETS, *more):
        assert secret.casefold() not in lowered, secret


def test_names_and_references_block_the_link_until_edited_or_left_out(
    app, client, signed_in, world
):
    seed_learning(app, world)
    signed_in(world.manager)
    fields = tick_all(form_fields(open_form(client)))
    learning = story_index(fields, "spotted the wet floor")
    debrief = story_index(fields, "night team")

    refused = client.post("/evidence/shares/new", data=fields)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "The link was not made" in body
    for shown in ("“Grace Okafor” (name)", "“Flat 3B” (person reference)", "“okafor” (name)"):
        assert shown in body
    assert "“room 12” (person reference)" in body
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvidenceShare)) == 0

    # Edit one story: its matches are gone, but the other still blocks the link.
    fields = form_fields(body)
    fields[f"story-{learning}-text"] = (
        "Someone on shift spotted the wet floor; another flat had a leak."
    )
    still = client.post("/evidence/shares/new", data=fields)
    assert still.status_code == 422
    assert "Grace Okafor" not in still.get_data(as_text=True).split("Learning stories to share")[1]

    # Leave the other out: now the link is made.
    fields = form_fields(still.get_data(as_text=True))
    fields.pop(f"story-{debrief}-include")
    fields["note"] = "For the inspection on Tuesday."
    made = client.post("/evidence/shares/new", data=fields)
    assert made.status_code == 200, made.get_data(as_text=True)
    link = re.search(r'value="https?://[^/]+(/shared/[^"]+)"', made.get_data(as_text=True))[1]
    assert "<svg" in made.get_data(as_text=True)  # the QR code, to print

    visitor = app.test_client()
    responses = [visitor.get(link), visitor.post(f"{link}/pack.pdf"), visitor.get(f"{link}x")]
    page, pdf = responses[0], responses[1]
    assert page.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Someone on shift spotted the wet floor" in page.get_data(as_text=True)
    assert "night team" not in page.get_data(as_text=True)
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Someone on shift spotted the wet floor" in " ".join(pdf_text.split())
    assert_clean(pdf_text)
    with app.app_context():
        share = db.session.scalars(select(EvidenceShare)).one()
        share.revoked_at = datetime.now(UTC)
        db.session.commit()
    responses += [visitor.get(link), visitor.post(f"{link}/pack.pdf")]
    reporter = world.staff.name  # the seeded report's reporter
    assert_clean(pdf_text, reporter)
    for response in responses:
        if response.mimetype != "application/pdf":
            assert_clean(response.get_data(as_text=True), reporter)
        for value in response.headers.values():
            assert_clean(value, reporter)


def test_a_name_in_the_note_blocks_the_link(app, client, signed_in, world):
    seed_learning(app, world)
    signed_in(world.manager)
    fields = form_fields(open_form(client))
    fields["note"] = "Ask grace about it."
    response = client.post("/evidence/shares/new", data=fields)
    assert response.status_code == 422
    assert "“grace” (name)" in response.get_data(as_text=True)


def test_bad_input_is_explained_not_an_error(app, client, signed_in, world):
    signed_in(world.manager)
    fields = form_fields(open_form(client))
    for days, passcode in (("31", ""), ("0", ""), ("soon", ""), ("14", "123")):
        response = client.post(
            "/evidence/shares/new", data={**fields, "days": days, "passcode": passcode}
        )
        assert response.status_code == 422
    tampered = {
        **fields,
        "story-0-title": "x",
        "story-0-text": "y",
        "story-0-statement": "Nope",
        "story-0-category": "Processes",
        "story-0-include": "yes",
    }
    assert client.post("/evidence/shares/new", data=tampered).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvidenceShare)) == 0


def test_only_a_hash_of_the_token_is_kept_and_it_has_256_bits(app, client, signed_in, world):
    signed_in(world.manager)
    link, _ = make_link(client)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 bytes in URL-safe base64
    with app.app_context():
        share = db.session.scalars(select(EvidenceShare)).one()
        assert token not in share.token_hash and len(share.token_hash) == 64
        assert share.passcode_hash is None
        assert share.expires_at - share.created_at == timedelta(days=14)
    assert token not in json.dumps(audit_dump(app))


def audit_dump(app) -> list:
    with app.app_context():
        return [(e.action, e.summary) for e in db.session.scalars(select(AuditEntry))]


def test_views_are_counted_and_audited_and_revoking_answers_410(app, client, signed_in, world):
    signed_in(world.manager)
    link, _ = make_link(client)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    assert visitor.get(f"{link}/pack.pdf").status_code == 200
    listing = client.get("/evidence/shares").get_data(as_text=True)
    assert "<td>2</td>" in listing and "Works until" in listing
    with app.app_context():
        share = db.session.scalars(select(EvidenceShare)).one()
        assert share.views == 2 and share.last_viewed_at is not None
        share_id = share.id
    page = client.get("/evidence/shares").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    revoked = client.post(f"/evidence/shares/{share_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    gone = visitor.get(link)
    assert gone.status_code == 410
    assert "no longer works" in gone.get_data(as_text=True)
    assert visitor.get(f"{link}/pack.pdf").status_code == 410
    assert "Revoked" in client.get("/evidence/shares").get_data(as_text=True)
    actions = audit_actions(app)
    assert [a for a in actions if a.startswith("share.")] == [
        "share.created",
        "share.viewed",
        "share.viewed",
        "share.revoked",
    ]
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "share.viewed")
        ).all()
        assert [json.loads(e.summary)["what"] for e in viewed] == ["page", "pdf"]
        assert all(e.actor_id is None for e in viewed)


def test_an_unknown_token_is_404(app, world):
    visitor = app.test_client()
    assert visitor.get("/shared/not-a-real-link").status_code == 404
    assert visitor.get("/shared/" + "A" * 43 + "/pack.pdf").status_code == 404
    assert visitor.get("/shared/" + "A" * 500).status_code == 404


def test_a_link_expires_after_its_days(app, client, signed_in, world):
    signed_in(world.manager)
    link, _ = make_link(client, days="3")
    visitor = app.test_client()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2, hours=23), tick=False):
        assert visitor.get(link).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3, minutes=1), tick=False):
        assert visitor.get(link).status_code == 410
        assert visitor.get(f"{link}/pack.pdf").status_code == 410
        signed_in(world.manager)  # the earlier sign-in has ended by now
        assert "Expired" in client.get("/evidence/shares").get_data(as_text=True)


def test_headers_keep_the_page_private_and_set_no_cookie(app, client, signed_in, world):
    signed_in(world.manager)
    link, _ = make_link(client)
    visitor = app.test_client()
    for response in (
        visitor.get(link),
        visitor.get(f"{link}/pack.pdf"),
        visitor.get("/shared/not-a-real-link"),
    ):
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "Set-Cookie" not in response.headers
    body = visitor.get(link).get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in body
    # Nothing else in LearnLoop is reachable: no link, no script, no form but the PDF button.
    assert "<a " not in body and "<script" not in body
    assert re.findall(r'action="([^"]+)"', body) == [f"{link}/pack.pdf"]
    assert visitor.get_cookie("session") is None
    # The same holds for someone who happens to be signed in.
    assert "Set-Cookie" not in client.get(link).headers


def test_passcode_is_asked_and_wrong_ones_are_limited_per_link(
    app, client, signed_in, world, monkeypatch
):
    monkeypatch.setitem(app.config, "SHARE_PASSCODE_FAILURES", "3 per 15 minutes")
    signed_in(world.manager)
    link, created = make_link(client, passcode="kingfisher-42")
    assert "kingfisher-42" not in created
    with app.app_context():
        stored = db.session.scalars(select(EvidenceShare)).one().passcode_hash
        assert stored.startswith("$argon2") and "kingfisher" not in stored
    visitor = app.test_client()
    asked = visitor.get(link)
    assert asked.status_code == 200 and "Enter the passcode" in asked.get_data(as_text=True)
    assert "Reports each month" not in asked.get_data(as_text=True)
    assert visitor.get(f"{link}/pack.pdf").status_code == 401  # no PDF without the passcode
    right = visitor.post(link, data={"passcode": "kingfisher-42"})
    assert right.status_code == 200 and "Reports each month" in right.get_data(as_text=True)
    unlock = re.search(r'name="unlock" value="([^"]+)"', right.get_data(as_text=True))[1]
    pdf = visitor.post(f"{link}/pack.pdf", data={"unlock": unlock})
    assert pdf.mimetype == "application/pdf"
    assert visitor.post(f"{link}/pack.pdf", data={"unlock": unlock + "x"}).status_code == 401
    for _ in range(3):
        wrong = visitor.post(link, data={"passcode": "kingfisher-41"})
        assert wrong.status_code == 401
        assert "That passcode is not right" in wrong.get_data(as_text=True)
    # Another address does not help: the count is per link, and now even the right one waits.
    elsewhere = app.test_client()
    blocked = elsewhere.post(
        link, data={"passcode": "kingfisher-42"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert "<a " not in blocked.get_data(as_text=True)
    assert "Set-Cookie" not in blocked.headers
    actions = audit_actions(app)
    assert actions.count("share.passcode_refused") == 3
    assert actions.count("share.viewed") == 2  # the page after the passcode, and the PDF


def test_the_page_itself_is_rate_limited(app, client, signed_in, world, monkeypatch):
    monkeypatch.setitem(app.config, "SHARE_PAGE_LIMIT", "2 per minute")
    signed_in(world.manager)
    link, _ = make_link(client)
    visitor = app.test_client()
    assert [visitor.get(link).status_code for _ in range(3)] == [200, 200, 429]


def test_pdfs_have_their_own_tighter_limit(app, client, signed_in, world, monkeypatch):
    monkeypatch.setitem(app.config, "SHARE_PDF_LIMIT", "1 per minute")
    signed_in(world.manager)
    link, _ = make_link(client)
    visitor = app.test_client()
    assert visitor.get(f"{link}/pack.pdf").status_code == 200
    assert visitor.get(f"{link}/pack.pdf").status_code == 429
    assert visitor.get(link).status_code == 200  # the page still opens


def test_small_numbers_read_fewer_than_five(app, client, signed_in, world):
    seed_learning(app, world, small_month_reports=3)
    signed_in(world.manager)
    link, _ = make_link(client)
    body = app.test_client().get(link).get_data(as_text=True)
    reports = body.split('id="figure-reports"')[1].split("</table>")[0]
    small, large = last_month_day(), last_month_day() - timedelta(days=31)
    short = "{:%b %Y}"
    small_row = reports.split(f">{short.format(small)}</th>")[1].split("</tr>")[0]
    large_row = reports.split(f">{short.format(large)}</th>")[1].split("</tr>")[0]
    assert f'<td class="suppressed">{FEWER}</td>' in small_row  # 3 near misses
    assert "<td>6</td>" in large_row
    chart = reports.split("<svg")[1].split("</svg>")[0]
    assert f", {small:%Y-%m}:" not in chart  # no bar for the month of 3
    assert f", {large:%Y-%m}: 6" in chart
    # The same page for the manager shows the real count.
    evidence = client.get("/evidence").get_data(as_text=True)
    assert f"{small:%Y-%m}: 3" in evidence


def test_names_are_matched_whole_in_any_case_and_by_parts_of_three_letters():
    assert name_parts("Mary-Jane  O'Neil Li") == {
        "Mary-Jane O'Neil Li",
        "Mary-Jane",
        "Mary",
        "Jane",
        "O'Neil",
        "Neil",
    }
    watch = Watchlist({"mary-jane o'neil li", "mary", "jane", "neil"}, {"room 12"})
    found = watch.matches("MARY and the team checked ROOM   12; Janet and Neill were away.")
    assert [(m.text, m.kind) for m in found] == [
        ("MARY", "name"),
        ("ROOM   12", "person reference"),
    ]
    assert watch.matches("Bedroom 120 and primary care") == []


def test_counts_in_words_are_suppressed_but_dates_and_durations_are_not():
    assert suppress_text("3 of 12 concerns were escalated (25%).") == (
        "fewer than 5 of 12 concerns were escalated ([share not shown])."
    )
    assert suppress_text("7 done, 2 open, 0 overdue.") == "7 done, fewer than 5 open, 0 overdue."
    kept = "12 of 14 in date on 3 December 2026 (86%). Median 2.5 days; within 24 hours; at 1:30."
    assert suppress_text(kept) == kept
    assert suppress_text("Reports up 40% (3 then 7).") == (
        "Reports up [share not shown] (fewer than 5 then 7)."
    )
    assert suppress_text("in the first 3 months, 4 weeks, 1 hour") == (
        "in the first 3 months, 4 weeks, 1 hour"
    )


def test_an_admin_shares_all_their_services(app, client, signed_in, world):
    signed_in(world.admin)
    make_link(client, service="all")
    with app.app_context():
        share = db.session.scalars(select(EvidenceShare)).one()
        assert sorted(share.service_ids) == sorted([world.willow.id, world.riverside.id])


def test_a_manager_shares_only_their_own_service(app, client, signed_in, world):
    signed_in(world.riverside_manager)
    make_link(client, service=str(world.willow.id))
    with app.app_context():
        share = db.session.scalars(select(EvidenceShare)).one()
        assert share.service_ids == [world.riverside.id]
        assert share.service_id == world.riverside.id


def test_a_story_too_long_to_share_is_refused_whole_and_kept_as_typed(
    app, client, signed_in, world
):
    """The manager's edited words are never cut short on the way to an inspector: a story over
    its limit comes back with its count and every word, and no link is made."""
    seed_learning(app, world)
    signed_in(world.manager)
    fields = form_fields(open_form(client))
    long_text = "We changed the handover so the night team hears about falls first. " * 60
    fields.update({"story-0-include": "yes", "story-0-text": long_text.strip()})
    response = client.post("/evidence/shares/new", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"The text can be up to 4,000 characters. It has {len(long_text.strip()):,}" in page
    assert html.escape(long_text.strip()) in page  # the whole text is still in its box
    assert 'maxlength="4000"' not in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvidenceShare)) == 0


def test_a_note_too_long_comes_back_whole_with_its_count(app, client, signed_in, world):
    signed_in(world.manager)
    fields = form_fields(open_form(client))
    note = "For the quality visit of the commissioners in the spring. " * 25
    response = client.post("/evidence/shares/new", data={**fields, "note": note})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"The note can be up to 1,000 characters. It has {len(note):,}" in page
    assert html.escape(note) in page and 'maxlength="1000"' not in page
