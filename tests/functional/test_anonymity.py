"""Anonymity that holds against a curious manager (docs/security.md, the threat model).

A manager or admin sees the report list, the audit trail and the database, and knows the rota.
These tests send reports as a phone and a browser would, then look with a manager's eyes:
nothing about an anonymous report (its number, time, audit entry or place in the list) may
say which of the sender's named reports it followed, and sending it may touch nothing about
the sender. The clock is moved by hand, never slept on.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

import app.audit as audit_module
from app.extensions import db
from app.models import (
    AuditEntry,
    HeldReport,
    Notification,
    Observation,
    Reflection,
    Report,
    ReportRollup,
    SignInSession,
    utcnow,
)
from app.models.reports import REPORT_ID_FLOOR
from app.reports import anonymity, services
from tests.conftest import csrf_token_from, post_form, sign_in

NAMED_TEXT = "Named: the hoist battery was flat at the start of the shift."
ANONYMOUS_TEXT = "Anonymous: the night medicines round was rushed and a dose was nearly missed."
OTHER_TEXT = "Supervisor: the sling sizes were mixed up in the store."
WINDOW = timedelta(minutes=15)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **amount) -> None:
        self.now += timedelta(**amount)


@pytest.fixture
def clock(app, monkeypatch):
    """Seven minutes into a release window that ended at least a minute ago (so every answer's
    time is in the past, on any date)."""
    with app.app_context():
        start = anonymity.sent_window_for(utcnow() - 2 * WINDOW) + timedelta(minutes=7)
    moved = Clock(start)
    for module in (services, anonymity, audit_module):
        monkeypatch.setattr(module, "utcnow", moved)
    anonymity.reset_request_check()
    yield moved
    anonymity.reset_request_check()


def report_body(**changes) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "description": NAMED_TEXT,
        "kind": "near_miss",
        "category": "medication",
        "time_bracket": "night_shift",
        **changes,
    }


def csrf(client) -> dict:
    return {"X-CSRFToken": client.get("/api/v1/session").get_json()["csrf_token"]}


def send(client, body: dict):
    return client.post("/api/v1/reports", json=body, headers=csrf(client))


def phone(app, user):
    """A signed-in test client of its own, as a person's phone. (Not the `client` fixture:
    it keeps its last request's context open, which a second client would share.)"""
    other = app.test_client()
    assert sign_in(other, user.email).status_code == 302
    return other


def stored_reports(app) -> list[Report]:
    with app.app_context():
        reports = list(db.session.scalars(select(Report)))
        db.session.expunge_all()
        return reports


def report_audit(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "report.submitted")
                .order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return entries


def held_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HeldReport))


# ---- no ordering or timing link ----------------------------------------------------------


def test_a_named_and_an_anonymous_report_sent_together_cannot_be_linked(app, world, clock):
    client = phone(app, world.staff)
    named = send(client, report_body())
    assert named.status_code == 201
    sent_at = clock.now
    clock.advance(seconds=0.4)  # the same phone's outbox, a moment later
    code = services.new_receipt_code()
    anonymous = send(
        client, report_body(description=ANONYMOUS_TEXT, anonymous=True, receipt_code=code)
    )
    assert anonymous.status_code == 201
    answer = anonymous.get_json()
    assert answer["id"] is None and answer["created_at"] is None
    assert answer["device_time"] is None and answer["receipt_code"] == code
    clock.advance(minutes=3)  # someone else reports later in the same window
    other = send(phone(app, world.supervisor), report_body(description=OTHER_TEXT))
    assert other.status_code == 201

    clock.advance(minutes=15)  # the window is over: cron releases
    result = app.test_cli_runner().invoke(args=["reports", "release-anonymous"])
    assert result.exit_code == 0 and "1 anonymous report released." in result.output
    released_at = clock.now

    by_text = {r.description: r for r in stored_reports(app)}
    mine, theirs, hidden = by_text[NAMED_TEXT], by_text[OTHER_TEXT], by_text[ANONYMOUS_TEXT]
    assert hidden.anonymous and hidden.reporter_id is None and hidden.device_time is None
    # Numbers: drawn at random, so none is "one after" another.
    assert all(r.id >= REPORT_ID_FLOOR for r in (mine, theirs, hidden))
    assert abs(hidden.id - mine.id) > 1 and abs(hidden.id - theirs.id) > 1
    # Time: the start of the window it was sent in, before every named report of that window.
    assert hidden.created_at == anonymity.sent_window_for(sent_at)
    assert hidden.created_at < mine.created_at < theirs.created_at
    assert sent_at - hidden.created_at == timedelta(minutes=7)
    # Audit: made by the system at release, after what happened since it was sent.
    entries = report_audit(app)
    assert [e.record_id for e in entries] == [mine.id, theirs.id, hidden.id]
    entry = entries[-1]
    assert entry.actor_id is None and entry.actor_role is None and entry.request_id is None
    assert entry.channel == "system" and entry.created_at == released_at
    assert entries[0].request_id  # named reports keep theirs
    # The list: below both named reports of its window, whichever it followed.
    queue = phone(app, world.manager).get("/reports").get_data(as_text=True)
    assert queue.index(OTHER_TEXT) < queue.index(NAMED_TEXT) < queue.index(ANONYMOUS_TEXT[:60])
    assert f"/reports/{hidden.id}" in queue


def test_anonymous_report_waits_unseen_then_reaches_managers_with_alerts(app, world, clock):
    client = phone(app, world.staff)
    response = post_form(
        client,
        "/report",
        {
            "description": ANONYMOUS_TEXT,
            "kind": "incident",
            "category": "falls",
            "physical_harm": "moderate",
            "time_bracket": "night_shift",
            "anonymous": "y",
        },
        page_url="/report",
    )
    assert response.status_code == 200 and "Your receipt code" in response.get_data(as_text=True)
    with app.app_context():
        held = db.session.scalars(select(HeldReport)).one()
        release_after = held.release_after
    assert clock.now <= release_after <= clock.now + WINDOW

    manager, admin = phone(app, world.manager), phone(app, world.admin)

    def seen() -> tuple[bool, bool, int]:
        queue = manager.get("/reports").get_data(as_text=True)
        trail = admin.get("/admin/audit").get_data(as_text=True)
        with app.app_context():
            alerts = db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == world.manager.id)
            )
        return ANONYMOUS_TEXT[:40] in queue, "report.submitted" in trail, alerts

    assert seen() == (False, False, 0)
    with app.app_context():
        assert anonymity.release_due(release_after - timedelta(seconds=1)) == 0
    assert seen() == (False, False, 0)
    clock.now = release_after
    with app.app_context():
        assert anonymity.release_due() == 1
    in_queue, in_trail, alerts = seen()
    assert in_queue and in_trail and alerts == 1
    assert held_count(app) == 0


@pytest.mark.parametrize(
    "answers",
    [
        {"kind": "incident", "category": "falls", "physical_harm": "severe"},
        {"kind": "near_miss", "category": "safeguarding"},
    ],
    ids=["serious-harm", "safeguarding"],
)
def test_serious_and_safeguarding_reports_are_out_by_the_end_of_the_window(
    app, world, clock, answers
):
    with app.app_context():
        staff = db.session.get(type(world.staff), world.staff.id)
        sent = clock.now
        for _ in range(12):
            services.submit_report(
                staff, {**report_body(**answers), "anonymous": True, "description": "x"}
            )
        released = anonymity.release_due(sent + WINDOW)
        assert released == 12
        alerted = db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == world.manager.id)
        )
        assert alerted == 12


def test_released_reports_count_in_rollups_and_repeats(app, world, clock):
    with app.app_context():
        staff = db.session.get(type(world.staff), world.staff.id)
        services.submit_report(staff, report_body(person_reference="WH-12"))
        services.submit_report(staff, {**report_body(person_reference="WH-12"), "anonymous": True})
        counted = select(func.coalesce(func.sum(ReportRollup.reports), 0))
        assert db.session.scalar(counted) == 1  # held: not in any figure yet
        anonymity.release_due(clock.now + WINDOW)
        assert db.session.scalar(counted) == 2
        anonymous = db.session.scalars(select(Report).where(Report.anonymous)).one()
        assert anonymous.is_repeat
        assert anonymous.repeat_of_id is None  # never a pointer to its sender's named report


def test_ordinary_pages_release_what_is_due_when_cron_is_late(app, world, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ANONYMOUS_RELEASE_ON_REQUESTS", True)
    client = phone(app, world.staff)
    assert send(client, report_body(anonymous=True)).status_code == 201
    manager = phone(app, world.manager)
    manager.get("/reports")
    assert held_count(app) == 1  # not due yet
    clock.advance(minutes=16)
    anonymity.reset_request_check()
    manager.get("/reports")
    assert held_count(app) == 0 and len(stored_reports(app)) == 1
    # Released inside the manager's request, yet nothing of that request is kept.
    [entry] = report_audit(app)
    assert entry.actor_id is None and entry.request_id is None and entry.channel == "system"


def test_pages_check_for_due_reports_at_most_once_a_minute(app, world, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ANONYMOUS_RELEASE_ON_REQUESTS", True)
    client = phone(app, world.staff)
    manager = phone(app, world.manager)
    manager.get("/reports")  # this process checks now: nothing is held
    assert send(client, report_body(anonymous=True)).status_code == 201
    with app.app_context():  # due at once
        db.session.execute(update(HeldReport).values(release_after=clock.now))
        db.session.commit()
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    with app.app_context():
        engine = db.engine
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", listen)
    try:
        clock.advance(seconds=59)
        manager.get("/reports")
        assert not [s for s in statements if "held_report.release_after <=" in s]
        assert held_count(app) == 1  # checked less than a minute ago: not looked at again
        clock.advance(seconds=2)
        manager.get("/reports")  # the first page after the minute releases it
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert held_count(app) == 0 and len(stored_reports(app)) == 1


def test_the_release_window_must_divide_a_day(monkeypatch, tmp_path):
    from app.config import build_config

    monkeypatch.setenv("ANONYMOUS_RELEASE_MINUTES", "7")
    with pytest.raises(RuntimeError, match="ANONYMOUS_RELEASE_MINUTES"):
        build_config("development", tmp_path)
    monkeypatch.setenv("ANONYMOUS_RELEASE_MINUTES", "30")
    assert build_config("development", tmp_path)["ANONYMOUS_RELEASE_MINUTES"] == 30


# ---- nothing about the sender is touched -------------------------------------------------


def _last_seen(app, user_id):
    with app.app_context():
        return db.session.scalar(
            select(SignInSession.last_seen_at).where(
                SignInSession.user_id == user_id, SignInSession.ended_at.is_(None)
            )
        )


def _age_sessions(app, user_id, minutes: int = 10):
    with app.app_context():
        db.session.execute(
            update(SignInSession)
            .where(SignInSession.user_id == user_id)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_sending_anonymously_leaves_no_trace_of_the_sender(app, client, signed_in, world, caplog):
    signed_in(world.staff)
    headers = csrf(client)
    page = client.get("/report").get_data(as_text=True)
    _age_sessions(app, world.staff.id)
    before = _last_seen(app, world.staff.id)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    api = client.post("/api/v1/reports", json=report_body(anonymous=True), headers=headers)
    form = client.post(
        "/report",
        data={
            **report_body(description=ANONYMOUS_TEXT),
            "anonymous": "y",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert api.status_code == 201 and form.status_code == 200
    assert _last_seen(app, world.staff.id) == before
    words = [world.staff.email, world.staff.name, "carer@willow"]
    for record in caplog.records:
        line = record.getMessage()
        assert not any(word in line for word in words), line
    # A named report is an ordinary request: the sign-in is seen as usual.
    assert send(client, report_body()).status_code == 201
    assert _last_seen(app, world.staff.id) > before


def test_checking_a_receipt_while_signed_in_leaves_no_trace(app, client, signed_in, world):
    signed_in(world.staff)
    code = services.new_receipt_code()
    send(client, report_body(anonymous=True, receipt_code=code))
    token = csrf_token_from(client.get("/reports/receipt").get_data(as_text=True))
    _age_sessions(app, world.staff.id)
    before = _last_seen(app, world.staff.id)
    page = client.post("/reports/receipt", data={"code": code, "csrf_token": token})
    assert "Your report has reached us" in page.get_data(as_text=True)
    assert _last_seen(app, world.staff.id) == before


# ---- receipt codes survive every resend --------------------------------------------------


def test_the_device_code_comes_back_on_every_resend_before_and_after_release(
    app, client, signed_in, world
):
    signed_in(world.staff)
    code = services.new_receipt_code()
    body = report_body(anonymous=True, receipt_code=code)
    first = send(client, body)
    assert first.status_code == 201 and first.get_json()["receipt_code"] == code
    for _ in range(2):
        again = send(client, body)
        assert again.status_code == 200 and again.get_json()["receipt_code"] == code
    with app.app_context():
        held = db.session.scalars(select(HeldReport)).one()
        assert held.receipt_hash == services.receipt_hash(code)
        assert code not in str(held.values)
        anonymity.release_due(utcnow() + WINDOW)
    after = send(client, body)
    assert after.status_code == 200 and after.get_json()["receipt_code"] == code
    # The code is not part of the answers: another valid code is the same draft, but we
    # cannot vouch for a code that is not this report's, so none comes back.
    other = send(client, {**body, "receipt_code": services.new_receipt_code()})
    assert other.status_code == 200 and other.get_json()["receipt_code"] is None
    assert len(stored_reports(app)) == 1


@pytest.mark.parametrize(
    "bad", ["abcd-efgh-jkmn-pqrs", "ABCD-EFGH-JKMN", "ABCD-EFGH-JKMN-PQR0", 42]
)
def test_a_malformed_device_code_is_refused_with_a_clear_message(
    app, client, signed_in, world, bad
):
    signed_in(world.staff)
    response = send(client, report_body(anonymous=True, receipt_code=bad))
    assert response.status_code == 400
    messages = response.get_json()["errors"]["receipt_code"]
    assert any("four groups of four" in m for m in messages) or bad == 42
    assert held_count(app) == 0


def test_one_code_for_two_drafts_is_refused_and_never_blocks_the_release(
    app, client, signed_in, world
):
    signed_in(world.staff)
    code = services.new_receipt_code()
    assert send(client, report_body(anonymous=True, receipt_code=code)).status_code == 201
    second = send(client, report_body(anonymous=True, receipt_code=code, description="Other"))
    assert second.status_code == 400
    assert "already in use" in second.get_json()["errors"]["receipt_code"][0]
    with app.app_context():
        assert anonymity.release_due(utcnow() + WINDOW) == 1
    third = send(client, report_body(anonymous=True, receipt_code=code, description="Third"))
    assert third.status_code == 400 and held_count(app) == 0


def _receipt(html: str) -> str | None:
    match = re.search(r'id="receipt-code">([A-Z0-9-]+)<', html)
    return match.group(1) if match else None


def test_sending_the_web_form_twice_shows_the_same_code(app, client, signed_in, world):
    signed_in(world.staff)
    page = client.get("/report")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    client_id = re.search(r'name="client_id" value="([^"]+)"', html).group(1)
    code = re.search(r'name="receipt_code" value="([^"]+)"', html).group(1)
    assert services.RECEIPT_PATTERN.match(code)
    form = {
        **report_body(description=ANONYMOUS_TEXT),
        "client_id": client_id,
        "receipt_code": code,
        "anonymous": "y",
        "csrf_token": csrf_token_from(html),
    }
    shown = [_receipt(client.post("/report", data=form).get_data(as_text=True)) for _ in range(3)]
    assert shown == [code, code, code]
    assert held_count(app) == 1
    # A fresh form brings a fresh code.
    assert code not in client.get("/report").get_data(as_text=True)


def test_a_held_report_answers_its_receipt_code(app, client, signed_in, world):
    signed_in(world.staff)
    code = services.new_receipt_code()
    send(client, report_body(anonymous=True, receipt_code=code))
    client.post("/logout", headers=csrf(client))
    page = client.post("/reports/receipt", data={"code": code})
    assert page.headers["Cache-Control"] == "no-store"
    assert "Your report has reached us" in page.get_data(as_text=True)


def test_receipt_pages_are_never_stored_signed_in_or_out(client, signed_in, world):
    assert client.get("/reports/receipt").headers["Cache-Control"] == "no-store"
    signed_in(world.staff)
    assert client.get("/reports/receipt").headers["Cache-Control"] == "no-store"


# ---- drafts belong to the person who wrote them ------------------------------------------


def _counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Report, HeldReport, Reflection, Observation)
        )


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/reports", report_body()),
        ("/api/v1/reports", report_body(anonymous=True)),
        ("/api/v1/reflections", {"client_id": str(uuid.uuid4()), "answers": {"helped": "Tea"}}),
        (
            "/api/v1/observations",
            {"client_id": str(uuid.uuid4()), "staff_id": 1, "template_id": 1, "items": {}},
        ),
    ],
    ids=["report", "anonymous-report", "reflection", "observation"],
)
def test_a_draft_written_by_someone_else_is_refused_and_nothing_is_stored(
    app, client, signed_in, world, url, body
):
    signed_in(world.supervisor)
    response = client.post(
        url, json={**body, "written_by": str(world.staff.id)}, headers=csrf(client)
    )
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "written_by_someone_else",
        "message": "This draft was written by someone else on this device. "
        "It will wait until they sign in.",
    }
    assert _counts(app) == (0, 0, 0, 0)


def test_a_draft_written_by_the_person_signed_in_is_accepted(app, client, signed_in, world):
    signed_in(world.staff)
    body = report_body(written_by=str(world.staff.id))
    assert send(client, body).status_code == 201
    assert send(client, body).status_code == 200
    assert _counts(app) == (1, 0, 0, 0)


def test_a_report_number_already_taken_or_drawn_is_drawn_again(app, world, monkeypatch):
    """Random numbers meet now and then; a report is never refused for it."""
    from app.models import reports as report_models

    draws = iter([5, 5, 7, 5, 7, 9])  # each number after the first is drawn again once taken
    monkeypatch.setattr(report_models.secrets, "randbelow", lambda _ceiling: next(draws))
    rows = [
        {
            "service_id": world.willow.id,
            "kind": "near_miss",
            "category": "falls",
            "description": f"Report {n}",
            "time_bracket": "exact",
            "occurred_on": utcnow().date(),
            "status": "new",
            "created_at": utcnow(),
            "follow_up": {},
            "contributory_factors": [],
            "candour_steps": {},
        }
        for n in range(3)
    ]
    with app.app_context():
        for row in rows:
            db.session.execute(insert(Report), [row])
        db.session.commit()
        numbers = sorted(db.session.scalars(select(Report.id)))
    floor = report_models.REPORT_ID_FLOOR
    assert numbers == [floor + 5, floor + 7, floor + 9]
