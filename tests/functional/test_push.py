"""Web Push, for real: the app encrypts and signs, a push service on 127.0.0.1 receives, and
the test decrypts with the keys a browser would hold and checks the VAPID signature.

What a person would notice: the phone that turned notifications on gets "LearnLoop: something
new for you" and a link, never a word of the report; a phone that is gone stops being tried;
a push service having a bad minute gets the push later; nothing of this slows a save.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import OutboundPush, PushStatus, PushSubscription, Report, User, utcnow
from app.notifications import push
from app.reports import conversation, services
from tests.conftest import sign_in
from tests.functional.anonymous_release import release_held
from tests.push_service import BrowserKeys, LocalPushService, verified_vapid_claims

DESCRIPTION = "Mrs Khan's insulin was nearly given twice at tea time."


@pytest.fixture
def push_service(app, monkeypatch):
    private, _public = push.generate_keys()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setitem(app.config, "VAPID_SUBJECT", "mailto:safety@willow.example.org")
    service = LocalPushService().start()
    yield service
    service.stop()


def signed_in_client(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def csrf(client) -> dict:
    return {"X-CSRFToken": client.get("/api/v1/session").get_json()["csrf_token"]}


def subscribe_person(app, user, service, name="phone") -> tuple:
    client = signed_in_client(app, user)
    keys = BrowserKeys()
    answer = client.post(
        "/account/push",
        json={"subscription": keys.subscription(service.endpoint(name))},
        headers=csrf(client),
    )
    assert answer.status_code == 201
    return client, keys


def named_report(app, world, **changes) -> int:
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        return services.submit_report(
            staff,
            {
                "client_id": str(uuid.uuid4()),
                "description": DESCRIPTION,
                "kind": "near_miss",
                "category": "medication",
                "time_bracket": "day_shift",
                **changes,
            },
        ).report.id


def thank(app, report_id: int) -> None:
    with app.app_context():
        report = db.session.get(Report, report_id)
        services.give_feedback(report, thanks="Thank you for speaking up.", learning=None)


def deliver(app) -> dict:
    with app.app_context():
        return push.deliver_due()


def pushes(app) -> list[OutboundPush]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboundPush).order_by(OutboundPush.id)))
        db.session.expunge_all()
        return rows


def test_a_thank_you_reaches_the_reporters_phone_encrypted_and_signed(app, world, push_service):
    _client, keys = subscribe_person(app, world.staff, push_service)
    report_id = named_report(app, world)
    thank(app, report_id)
    assert deliver(app) == {"sent": 1, "retry": 0, "failed": 0, "gone": 0}

    [arrived] = push_service.received
    assert arrived.path == "/push/phone"
    assert arrived.headers["content-encoding"] == "aes128gcm"
    assert int(arrived.headers["ttl"]) > 0
    message = keys.decrypt(arrived.body)
    assert message == {
        "title": "LearnLoop",
        "body": "Something new for you",
        "path": f"/reports/mine/{report_id}",
    }
    assert "Khan" not in arrived.body.decode("latin-1")  # and nothing readable on the wire
    claims, key = verified_vapid_claims(arrived.headers["authorization"])
    with app.app_context():
        assert key == push.public_key()
    assert claims["aud"] == f"http://127.0.0.1:{push_service.port}"
    assert claims["sub"] == "mailto:safety@willow.example.org"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert pushes(app)[0].status is PushStatus.SENT


def test_a_forged_signature_does_not_verify(app, world, push_service):
    """The check above can fail: another key's signature is refused."""
    from cryptography.exceptions import InvalidSignature

    _client, _keys = subscribe_person(app, world.staff, push_service)
    thank(app, named_report(app, world))
    deliver(app)
    authorization = push_service.received[0].headers["authorization"]
    _private, other_public = push.generate_keys()
    forged = authorization.split("k=")[0] + "k=" + other_public
    with pytest.raises(InvalidSignature):
        verified_vapid_claims(forged)


def test_managers_get_their_safety_alerts_on_the_phone(app, world, push_service):
    _client, keys = subscribe_person(app, world.manager, push_service, name="manager")
    report_id = named_report(app, world, kind="incident", category="falls", physical_harm="severe")
    deliver(app)
    [arrived] = push_service.received
    assert keys.decrypt(arrived.body)["path"] == f"/reports/{report_id}"


def test_a_reply_reaches_the_anonymous_reporters_phone_by_code_alone(app, world, push_service):
    code = services.new_receipt_code()
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        services.submit_report(
            staff,
            {
                "client_id": str(uuid.uuid4()),
                "description": DESCRIPTION,
                "kind": "near_miss",
                "category": "medication",
                "time_bracket": "day_shift",
                "anonymous": True,
                "receipt_code": code,
            },
        )
    phone = app.test_client()  # no session: as receipt-watch.js sends it
    keys = BrowserKeys()
    answer = phone.post(
        "/reports/receipt/push",
        json={"code": code, "subscription": keys.subscription(push_service.endpoint("anon"))},
    )
    assert answer.status_code == 201  # a held report's code works already
    with app.app_context():
        row = db.session.scalars(select(PushSubscription)).one()
        assert row.user_id is None and row.receipt_hash == services.receipt_hash(code)
        assert (row.created_at.hour, row.created_at.minute, row.created_at.second) == (0, 0, 0)
    release_held(app)
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        manager = db.session.get(User, world.manager.id)
        conversation.manager_writes(
            report, manager, conversation.MessageKind.QUESTION, "Which floor was it?"
        )
        services.give_feedback(report, thanks="Thank you.", learning=None)
    deliver(app)
    assert len(push_service.received) == 2
    for arrived in push_service.received:
        assert keys.decrypt(arrived.body) == {
            "title": "LearnLoop",
            "body": "Something new for you",
            "path": "/reports/receipt",
        }
    # The code's owner turns it off with the code; nobody else can.
    stranger = phone.post(
        "/reports/receipt/push",
        json={
            "code": services.new_receipt_code(),
            "remove": True,
            "endpoint": push_service.endpoint("anon"),
        },
    )
    assert stranger.status_code == 404
    off = phone.post(
        "/reports/receipt/push",
        json={"code": code, "remove": True, "endpoint": push_service.endpoint("anon")},
    )
    assert off.get_json() == {"subscribed": False}
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).first() is None


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_removed(
    app, world, push_service, status
):
    subscribe_person(app, world.staff, push_service)
    push_service.answers = [status]
    thank(app, named_report(app, world))
    assert deliver(app)["gone"] == 1
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).first() is None
    assert pushes(app)[0].status is PushStatus.GONE
    thank(app, named_report(app, world))  # nothing left to push to
    assert pushes(app)[-1].status is PushStatus.GONE and len(pushes(app)) == 1


def _make_due(app):
    with app.app_context():
        db.session.execute(update(OutboundPush).values(next_attempt_at=utcnow()))
        db.session.commit()


def test_a_push_service_error_is_retried_with_growing_waits(app, world, push_service):
    subscribe_person(app, world.staff, push_service)
    push_service.answers = [500, 503]
    thank(app, named_report(app, world))
    before = utcnow()
    assert deliver(app)["retry"] == 1
    [first] = pushes(app)
    assert first.status is PushStatus.PENDING and first.attempts == 1
    assert timedelta(seconds=55) < first.next_attempt_at - before < timedelta(seconds=65)
    assert deliver(app) == {"sent": 0, "retry": 0, "failed": 0, "gone": 0}  # not due yet
    _make_due(app)
    before = utcnow()
    assert deliver(app)["retry"] == 1
    [second] = pushes(app)
    assert timedelta(seconds=115) < second.next_attempt_at - before < timedelta(seconds=125)
    _make_due(app)
    assert deliver(app)["sent"] == 1
    assert len(push_service.received) == 3
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).first() is not None  # kept


def test_a_push_service_that_is_down_never_blocks_a_save(app, world, push_service, monkeypatch):
    client, keys = subscribe_person(app, world.staff, push_service)
    with app.app_context():
        db.session.execute(
            update(PushSubscription).values(endpoint="http://127.0.0.1:9/push/nowhere")
        )
        db.session.commit()
    monkeypatch.setitem(app.config, "PUSH_SEND_AFTER_COMMIT", True)
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 2)
    report_id = named_report(app, world)
    thank(app, report_id)  # returns at once; the push goes in the background
    push.wait_for_background_delivery()
    [waiting] = pushes(app)
    assert waiting.status is PushStatus.PENDING and waiting.attempts == 1
    assert waiting.last_error == "ConnectionError"
    with app.app_context():
        assert db.session.get(Report, report_id).thanks_message


def test_a_person_turns_notifications_off_for_their_own_device_only(app, world, push_service):
    staff_client, _ = subscribe_person(app, world.staff, push_service, name="staff")
    manager_client, _ = subscribe_person(app, world.manager, push_service, name="manager")
    staff_client.post(
        "/account/push/remove",
        json={"endpoint": push_service.endpoint("manager")},
        headers=csrf(staff_client),
    )
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all().__len__() == 2
    staff_client.post(
        "/account/push/remove",
        json={"endpoint": push_service.endpoint("staff")},
        headers=csrf(staff_client),
    )
    with app.app_context():
        owners = db.session.scalars(select(PushSubscription.user_id)).all()
    assert owners == [world.manager.id]


def test_subscribing_needs_a_csrf_token_and_a_real_subscription(app, world, push_service):
    client = signed_in_client(app, world.staff)
    keys = BrowserKeys()
    no_token = client.post(
        "/account/push", json={"subscription": keys.subscription(push_service.endpoint())}
    )
    assert no_token.status_code in (400, 303)
    bad = client.post(
        "/account/push", json={"subscription": {"endpoint": "x"}}, headers=csrf(client)
    )
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).first() is None


def test_the_account_page_offers_notifications_only_when_keys_are_set(app, world, monkeypatch):
    client = signed_in_client(app, world.staff)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", None)
    assert "Notifications are not set up on this server yet" in client.get("/account").get_data(
        as_text=True
    )
    private, public = push.generate_keys()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    page = client.get("/account").get_data(as_text=True)
    assert f'data-push-key="{public}"' in page
    assert "Turn on notifications on this device" in page


def test_generate_keys_prints_a_working_key_pair(app):
    result = app.test_cli_runner().invoke(args=["push", "generate-keys"])
    assert result.exit_code == 0
    private = result.output.split("VAPID_PRIVATE_KEY=")[1].split()[0]
    public = result.output.split("browsers get it from the app): ")[1].split()[0]
    assert push.public_key_of(private) == public
    assert len(public) == 87  # base64url of a 65-byte uncompressed P-256 point
