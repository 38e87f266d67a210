"""A conversation with the sender of an anonymous report that nobody can link to them.

The manager writes on the report page, signed in; the reporter reads and answers on
/reports/receipt with the receipt code alone, from a browser with no session at all. What the
reporter writes waits, unseen, until a random moment in the release window, then reaches
managers with an audit entry made by the system, dated to the window, in a shuffled batch.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    AuditEntry,
    ConversationMessage,
    HeldConversationMessage,
    Notification,
    Report,
    SignInSession,
    User,
    utcnow,
)
from app.reports import anonymity, conversation, services
from tests.conftest import csrf_token_from, sign_in
from tests.functional.anonymous_release import release_held

QUESTION = "Which medicines trolley was it, and was the key left in the lock?"
ANSWER = "The one on the first floor. The key was in the lock all night."
REMEMBERED = "I also remember the night sheet had not been signed at 10 pm."


def anonymous_report(app, world, code: str, **changes) -> int:
    """An anonymous report, sent and released, as a manager will find it."""
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        services.submit_report(
            staff,
            {
                "client_id": str(uuid.uuid4()),
                "description": "The night medicines round was rushed.",
                "kind": "near_miss",
                "category": "medication",
                "time_bracket": "night_shift",
                "anonymous": True,
                "receipt_code": code,
                **changes,
            },
        )
    assert release_held(app) == 1
    with app.app_context():
        return db.session.scalar(
            select(Report.id).where(Report.receipt_hash == services.receipt_hash(code))
        )


def manager_client(app, world):
    client = app.test_client()
    assert sign_in(client, world.manager.email).status_code == 302
    return client


def manager_writes(client, report_id: int, body: str, kind: str = "question"):
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    return client.post(
        f"/reports/{report_id}/conversation",
        data={"kind": kind, "body": body, "csrf_token": csrf_token_from(page)},
    )


def release_messages(app) -> int:
    with app.app_context():
        return conversation.release_due(utcnow() + anonymity.release_window())


def conversation_audit(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.like("conversation.%"))
                .order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return entries


def test_a_manager_and_an_anonymous_reporter_hold_a_conversation(app, world):
    code = services.new_receipt_code()
    report_id = anonymous_report(app, world, code)
    manager = manager_client(app, world)
    assert manager_writes(manager, report_id, QUESTION).status_code == 302
    thread = manager.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Conversation with the reporter" in thread and QUESTION in thread

    phone = app.test_client()  # no session, no cookie: as receipt.js sends it
    page = phone.post("/reports/receipt", data={"code": code}).get_data(as_text=True)
    assert QUESTION in page and "Conversation with your manager" in page
    sent = phone.post(
        "/reports/receipt/conversation", data={"code": code, "kind": "answer", "body": ANSWER}
    )
    assert sent.status_code == 200 and sent.headers["Cache-Control"] == "no-store"
    html = sent.get_data(as_text=True)
    assert "Sent. Your manager will see it within 15 minutes" in html
    assert ANSWER in html and "on its way" in html  # the reporter sees their own, waiting

    # Held: the manager sees nothing yet, and nothing is audited.
    assert ANSWER not in manager.get(f"/reports/{report_id}").get_data(as_text=True)
    assert [e.action for e in conversation_audit(app)] == ["conversation.manager_wrote"]

    assert release_messages(app) == 1
    thread = manager.get(f"/reports/{report_id}").get_data(as_text=True)
    assert ANSWER in thread and "The reporter" in thread
    with app.app_context():
        told = db.session.scalars(
            select(Notification).where(
                Notification.user_id == world.manager.id, Notification.kind == "conversation"
            )
        ).one()
        assert told.link == f"/reports/{report_id}#conversation"
        assert ANSWER not in told.message  # the notification carries no words

    # The reporter adds what they remember later, on another phone, with the same code.
    other_phone = app.test_client()
    other_phone.post(
        "/reports/receipt/conversation",
        data={"code": code, "kind": "remembered", "body": REMEMBERED},
    )
    release_messages(app)
    assert REMEMBERED in manager.get(f"/reports/{report_id}").get_data(as_text=True)
    shown = other_phone.post("/reports/receipt", data={"code": code}).get_data(as_text=True)
    assert shown.index(QUESTION) < shown.index(ANSWER) < shown.index(REMEMBERED)


def test_a_reply_cannot_be_linked_to_the_reporter(app, world, monkeypatch):
    """Sent with the sign-in's cookie (a phone without JavaScript), an answer still leaves no
    trace of the person: no session touched, no actor, no request id, a coarse time, and the
    release order is shuffled, not the order of sending."""
    codes = [services.new_receipt_code() for _ in range(8)]
    reports = [anonymous_report(app, world, code) for code in codes]
    manager = manager_client(app, world)
    for report_id in reports:
        manager_writes(manager, report_id, QUESTION)

    staff = app.test_client()
    assert sign_in(staff, world.staff.email).status_code == 302
    with app.app_context():
        db.session.execute(
            update(SignInSession)
            .where(SignInSession.user_id == world.staff.id)
            .values(last_seen_at=utcnow() - timedelta(minutes=10))
        )
        db.session.commit()
        before = db.session.scalar(
            select(SignInSession.last_seen_at).where(SignInSession.user_id == world.staff.id)
        )
    # A fixed moment, seven minutes into a window that has ended (a busy machine's slowness
    # must not move the answers across a window's edge).
    sent_at = anonymity.sent_window_for(utcnow() - 2 * anonymity.release_window())
    sent_at += timedelta(minutes=7)
    monkeypatch.setattr(conversation, "utcnow", lambda: sent_at)
    for n, code in enumerate(codes):
        answer = staff.post(
            "/reports/receipt/conversation",
            data={"code": code, "kind": "answer", "body": f"Answer number {n}"},
        )
        assert answer.status_code == 200
    with app.app_context():
        assert (
            db.session.scalar(
                select(SignInSession.last_seen_at).where(SignInSession.user_id == world.staff.id)
            )
            == before
        )
        held = list(db.session.scalars(select(HeldConversationMessage)))
        assert len(held) == 8
        assert all(h.sent_window == anonymity.sent_window_for(sent_at) for h in held)
        assert all(
            sent_at - timedelta(seconds=5)
            <= h.release_after
            <= sent_at + anonymity.release_window()
            for h in held
        )

        # All due at one moment, so only the shuffle can change their order.
        db.session.execute(update(HeldConversationMessage).values(release_after=sent_at))
        db.session.commit()

    # Released in one batch, in a shuffled order (8! orders: the sending order by chance is
    # one in 40,320).
    assert release_messages(app) == 8
    entries = [e for e in conversation_audit(app) if e.action == "conversation.reporter_wrote"]
    assert len(entries) == 8
    for entry in entries:
        assert entry.actor_id is None and entry.actor_role is None
        assert entry.request_id is None and entry.channel == "system"
        assert "Answer" not in entry.summary  # no words in the audit trail
    assert [e.record_id for e in entries] != reports
    with app.app_context():
        answers = list(
            db.session.scalars(
                select(ConversationMessage).where(ConversationMessage.author_id.is_(None))
            )
        )
        assert {a.created_at for a in answers} == {anonymity.sent_window_for(sent_at)}
    # The manager's own messages are theirs, audited as them.
    manager_entries = [
        e for e in conversation_audit(app) if e.action == "conversation.manager_wrote"
    ]
    assert {e.actor_id for e in manager_entries} == {world.manager.id}


def test_the_reporter_closes_the_conversation(app, world):
    code = services.new_receipt_code()
    report_id = anonymous_report(app, world, code)
    manager = manager_client(app, world)
    manager_writes(manager, report_id, "We are changing the key arrangements.", kind="update")
    phone = app.test_client()
    closed = phone.post("/reports/receipt/conversation", data={"code": code, "kind": "closed"})
    assert "Closed. Your manager will see that you closed the conversation" in closed.get_data(
        as_text=True
    )
    again = phone.post(
        "/reports/receipt/conversation", data={"code": code, "kind": "answer", "body": "More"}
    )
    assert again.status_code == 422 and "This conversation is closed" in again.get_data(
        as_text=True
    )
    release_messages(app)
    page = manager.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "The reporter closed this conversation" in page
    assert 'name="body"' not in page.split('id="conversation"')[1].split("</section>")[0]
    refused = manager_writes(manager, report_id, "One more question")
    assert refused.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(ConversationMessage)) == 2
        )  # the update and the closing


def test_a_conversation_is_only_for_anonymous_reports_and_known_codes(app, world, client):
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        named = services.submit_report(
            staff,
            {
                "client_id": str(uuid.uuid4()),
                "description": "Named report.",
                "kind": "near_miss",
                "category": "falls",
                "time_bracket": "day_shift",
            },
        ).report.id
    manager = manager_client(app, world)
    assert "Conversation with the reporter" not in manager.get(f"/reports/{named}").get_data(
        as_text=True
    )
    manager_writes(manager, named, QUESTION)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConversationMessage)) == 0
    unknown = client.post(
        "/reports/receipt/conversation",
        data={"code": services.new_receipt_code(), "kind": "answer", "body": "Hello"},
    )
    assert unknown.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HeldConversationMessage)) == 0


def test_the_phone_learns_a_reply_is_waiting_without_its_session(app, world):
    code = services.new_receipt_code()
    report_id = anonymous_report(app, world, code)
    phone = app.test_client()
    unknown = services.new_receipt_code()
    first = phone.post("/reports/receipt/news", json={"codes": [code, unknown]}).get_json()
    assert first["codes"][unknown] is None
    assert first["codes"][code]["news"] is False
    marker = first["codes"][code]["marker"]
    manager = manager_client(app, world)
    manager_writes(manager, report_id, QUESTION)
    second = phone.post("/reports/receipt/news", json={"codes": [code]}).get_json()
    assert second["codes"][code]["news"] is True and second["codes"][code]["marker"] != marker
    # The receipt page carries the same marker, so the phone stops saying "waiting" once read.
    page = phone.post("/reports/receipt", data={"code": code}).get_data(as_text=True)
    assert f'data-reply-marker="{second["codes"][code]["marker"]}"' in page
    # The reporter's own answer is not news to them.
    phone.post("/reports/receipt/conversation", data={"code": code, "kind": "answer", "body": "x"})
    release_messages(app)
    third = phone.post("/reports/receipt/news", json={"codes": [code]}).get_json()
    assert third["codes"][code]["marker"] == second["codes"][code]["marker"]


def test_receipt_codes_cannot_be_guessed_across_the_pages_that_take_them(app, client, monkeypatch):
    """Every request opening or writing to a thread by its code counts toward one limit per
    address; looking for news has its own, so busy phones never use up a reporter's checks."""
    monkeypatch.setitem(app.config, "RECEIPT_NEWS_PER_ADDRESS", "3 per hour")
    guesses = [
        lambda: client.post("/reports/receipt", data={"code": services.new_receipt_code()}),
        lambda: client.post(
            "/reports/receipt/conversation",
            data={"code": services.new_receipt_code(), "kind": "answer", "body": "x"},
        ),
    ]
    news = lambda: client.post(  # noqa: E731
        "/reports/receipt/news", json={"codes": [services.new_receipt_code()]}
    )
    statuses = [guesses[n % 2]().status_code for n in range(30)]
    assert 429 not in statuses
    assert all(guess().status_code == 429 for guess in guesses)
    assert [news().status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize("codes", [["x"] * 21, "ABCD", None])
def test_news_takes_a_short_list_of_codes(client, codes):
    assert client.post("/reports/receipt/news", json={"codes": codes}).status_code == 400


def test_cron_releases_the_reporters_messages_too(app, world, monkeypatch):
    code = services.new_receipt_code()
    anonymous_report(app, world, code)
    app.test_client().post(
        "/reports/receipt/conversation", data={"code": code, "kind": "answer", "body": "Yes"}
    )
    later = utcnow() + anonymity.release_window() + timedelta(seconds=1)
    monkeypatch.setattr(conversation, "utcnow", lambda: later)
    monkeypatch.setattr(anonymity, "utcnow", lambda: later)
    result = app.test_cli_runner().invoke(args=["reports", "release-anonymous"])
    assert "1 message from anonymous reporters released." in result.output


def test_the_thank_you_page_offers_to_remember_the_code_on_the_phone(app, client, signed_in, world):
    from tests.conftest import post_form

    signed_in(world.staff)
    page = post_form(
        client,
        "/report",
        {
            "description": "The night medicines round was rushed.",
            "kind": "near_miss",
            "category": "medication",
            "time_bracket": "night_shift",
            "anonymous": "y",
        },
        page_url="/report",
    ).get_data(as_text=True)
    code = page.split('id="receipt-code">')[1].split("<")[0]
    assert f'data-receipt-offer data-receipt-code="{code}"' in page
    assert "js/receipt-watch.js" in page
