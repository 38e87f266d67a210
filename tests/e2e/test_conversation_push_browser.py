"""In Chromium: the service worker's push notifications, and the anonymous conversation.

Push: a push is delivered to the site's service worker through the DevTools protocol
(`ServiceWorker.deliverPushMessage`), as a push service would; the worker shows
"LearnLoop: something new for you", and its click handler opens the page the push names.

Conversation: three browsers. The reporter's own phone (signed in as the care worker), the
manager's, and another phone with no session at all where the reporter types their code. The
reporter's requests carry no cookie, and the home page of the phone that remembers the code
says "A reply is waiting" when the manager writes.
"""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest
from pytest_flask.live_server import LiveServer
from sqlalchemy import select

from app.extensions import db
from app.models import Report, User, utcnow
from app.notifications import push
from app.reports import anonymity, conversation, services
from tests.e2e.conftest import PHONE, PageProblems, assert_accessible, sign_in
from tests.functional.anonymous_release import release_held

pytestmark = pytest.mark.e2e

CARER = "carer@willow.demo"
MANAGER = "manager@willow.demo"
QUESTION = "Was the medicines room door propped open when you arrived?"
ANSWER = "Yes, with a chair, from the start of the night shift."

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map(
    (n) => ({ title: n.title, body: n.body, data: n.data }));
}"""


@pytest.fixture
def push_page(app, browser, monkeypatch, _no_connection_crosses_the_fork):
    """push_page() opens a fresh context on a live server of its own that has VAPID keys (the
    shared live server started without them, and a server's settings are fixed when it starts).
    Console errors and CSP violations fail the test, as on every page."""
    private, _ = push.generate_keys()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = LiveServer(app, "localhost", port, 10)
    with app.app_context():
        db.engine.dispose()  # no pooled connection may cross the fork (see conftest)
    server.start()
    contexts, problems = [], []

    def _make():
        context = browser.new_context(viewport=PHONE, base_url=f"http://localhost:{port}")
        contexts.append(context)
        page = context.new_page()
        problems.append(PageProblems(page))
        return page

    yield _make
    for context in contexts:
        context.close()
    server.stop()
    found = [error for p in problems for error in p.errors]
    assert not found, "\n".join(found)


def anonymous_released(app, code: str) -> int:
    """An anonymous report by the demo care worker, released to managers; its number."""
    with app.app_context():
        carer = db.session.scalars(select(User).where(User.email == CARER)).one()
        services.submit_report(
            carer,
            {
                "client_id": str(uuid.uuid4()),
                "description": "The medicines room was left open overnight.",
                "kind": "near_miss",
                "category": "medication",
                "time_bracket": "night_shift",
                "anonymous": True,
                "receipt_code": code,
            },
        )
        db.session.remove()
    release_held(app)
    with app.app_context():
        report_id = db.session.scalar(
            select(Report.id).where(Report.receipt_hash == services.receipt_hash(code))
        )
        db.session.remove()
    return report_id


def wait_for_service_worker(page) -> None:
    """Until the site's worker is activated, not merely active: `ready` resolves while it is
    still activating, and on a cold browser a push can arrive before its handlers run."""
    page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          const worker = registration.active;
          if (worker.state === "activated") return;
          await new Promise((done) => worker.addEventListener(
            "statechange", () => worker.state === "activated" && done()));
        }"""
    )


def registration_id(cdp, origin: str) -> str:
    """The site worker's registration id, from the DevTools protocol's own events."""
    found: dict[str, str] = {}

    def seen(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == origin + "/" and not registration["isDeleted"]:
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while "id" not in found and time.monotonic() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets the events arrive
        time.sleep(0.1)
    return found["id"]


def test_a_push_shows_the_notification_and_opening_it_goes_to_the_page(make_page, demo, app):
    page = make_page()
    page.context.grant_permissions(["notifications"])
    sign_in(page, CARER)
    wait_for_service_worker(page)
    origin = page.evaluate("location.origin")
    with app.app_context():
        carer = db.session.scalars(select(User).where(User.email == CARER)).one()
        report_id = services.submit_report(
            carer,
            {
                "client_id": str(uuid.uuid4()),
                "description": "The bath hoist sling was frayed at the seam.",
                "kind": "near_miss",
                "category": "equipment",
                "time_bracket": "day_shift",
            },
        ).report.id
        db.session.remove()
    path = f"/reports/mine/{report_id}"

    cdp = page.context.new_cdp_session(page)
    registration = registration_id(cdp, origin)
    payload = json.dumps({"title": "LearnLoop", "body": "Something new for you", "path": path})
    shown = []
    # Delivered at most twice: a push that reaches a worker still starting up on a cold browser
    # can be lost, and a push service would deliver it again; a worker that never shows a
    # notification fails both times.
    for _attempt in range(2):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": origin, "registrationId": registration, "data": payload},
        )
        deadline = time.monotonic() + 8
        while not shown and time.monotonic() < deadline:
            shown = page.evaluate(NOTIFICATIONS)
            time.sleep(0.1)
        if shown:
            break
    assert shown == [
        {"title": "LearnLoop", "body": "Something new for you", "data": {"path": path}}
    ]

    # Opening it: the worker's notificationclick handler, given the notification shown. Only
    # a real click may open a window, so the test records where the handler goes, then goes.
    [worker] = [w for w in page.context.service_workers if w.url.endswith("/sw.js")]
    opened = worker.evaluate(
        """async () => {
          const [notification] = await self.registration.getNotifications();
          const asked = [];
          self.clients.openWindow = async (url) => { asked.push(url); return null; };
          self.clients.matchAll = async () => [];
          const event = new NotificationEvent("notificationclick", { notification });
          const waits = [];
          event.waitUntil = (promise) => waits.push(promise);
          self.dispatchEvent(event);
          await Promise.all(waits);
          const left = await self.registration.getNotifications();
          return { asked, left: left.length };
        }"""
    )
    assert opened == {"asked": [origin + path], "left": 0}
    page.goto(opened["asked"][0])
    assert "The bath hoist sling was frayed at the seam." in page.content()

    # A payload naming another site is never followed.
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": origin,
            "registrationId": registration,
            "data": json.dumps({"path": "//evil.example/x"}),
        },
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        shown = page.evaluate(NOTIFICATIONS)
        if shown:
            break
        time.sleep(0.1)
    assert shown[0]["data"] == {"path": "/"} and shown[0]["body"] == "Something new for you"


def test_the_account_page_offers_notifications_for_this_device(push_page, demo, app):
    page = push_page()
    sign_in(page, CARER)
    page.goto("/account")
    page.get_by_text("Off: this device gets no notifications.").wait_for()
    assert page.get_by_role("button", name="Turn on notifications on this device").is_visible()
    assert_accessible(page)
    # The reporter's own phone: once it remembers a code, it offers notifications for it.
    code = services.new_receipt_code()
    anonymous_released(app, code)
    page.goto("/reports/receipt")
    page.get_by_label("Your receipt code").fill(code)
    page.get_by_role("button", name="Show my report").click()
    page.get_by_role("button", name="Remember this code on this phone").click()
    page.get_by_role("button", name="Tell this phone when a reply comes").wait_for()
    assert_accessible(page)


def test_the_anonymous_thread_works_across_browsers_and_carries_no_cookie(make_page, demo, app):
    code = services.new_receipt_code()
    report_id = anonymous_released(app, code)

    # The reporter's own phone, signed in: it remembers the code.
    own_phone = make_page()
    own_phone.add_init_script("globalThis.learnloopReceiptTiming = { checkEveryMs: 0 };")
    sign_in(own_phone, CARER)
    cookies_sent: list[tuple[str, str | None]] = []

    def watch(request):
        if "/reports/receipt" in request.url and request.method == "POST":
            cookies_sent.append((request.url, request.headers.get("cookie")))

    own_phone.on("request", watch)
    own_phone.goto("/reports/receipt")
    own_phone.get_by_label("Your receipt code").fill(code)
    own_phone.get_by_role("button", name="Show my report").click()
    own_phone.get_by_role("heading", name="Conversation with your manager").wait_for()
    own_phone.get_by_role("button", name="Remember this code on this phone").click()
    own_phone.get_by_text("This phone remembers this code").wait_for()
    own_phone.get_by_text("This phone remembers this code").wait_for()
    assert_accessible(own_phone)
    own_phone.goto("/")
    own_phone.wait_for_timeout(500)
    assert own_phone.get_by_text("A reply is waiting").is_hidden()

    # The manager asks, beside the report.
    manager = make_page()
    sign_in(manager, MANAGER)
    manager.goto(f"/reports/{report_id}")
    manager.get_by_label("Your message").fill(QUESTION)
    manager.get_by_role("button", name="Send to the reporter").click()
    manager.get_by_text("Sent. The reporter reads it with their receipt code.").wait_for()
    assert_accessible(manager)

    # The phone that remembers the code learns a reply is waiting, without its session.
    own_phone.goto("/")
    own_phone.get_by_role("link", name="A reply is waiting for your anonymous report").wait_for()

    # Another phone, no session at all: the reporter types the code and answers.
    other = make_page()
    other.on("request", watch)
    other.goto("/reports/receipt")
    other.get_by_label("Your receipt code").fill(code)
    other.get_by_role("button", name="Show my report").click()
    other.get_by_text(QUESTION).wait_for()
    other.get_by_label("Your message").fill(ANSWER)
    other.get_by_role("button", name="Send", exact=True).click()
    other.get_by_text("Sent. Your manager will see it").wait_for()
    assert other.get_by_text("on its way").is_visible()
    assert_accessible(other)

    # No request carrying the code carried a cookie, even from the signed-in phone.
    assert cookies_sent and all(cookie is None for _url, cookie in cookies_sent), cookies_sent
    assert any(url.endswith("/reports/receipt/news") for url, _ in cookies_sent)

    # Held, then released: the manager reads the answer beside the report.
    manager.reload()
    assert manager.get_by_text(ANSWER).count() == 0
    with app.app_context():
        released = conversation.release_due(utcnow() + anonymity.release_window())
        db.session.remove()
    assert released == 1
    manager.reload()
    manager.get_by_text(ANSWER).wait_for()

    # Back on the reporter's own phone, opening the thread clears "a reply is waiting".
    own_phone.goto("/reports/receipt")
    own_phone.get_by_role("button", name=f"Check {code}").click()
    own_phone.get_by_text(ANSWER).wait_for()
    own_phone.goto("/")
    own_phone.wait_for_timeout(800)
    assert own_phone.get_by_text("A reply is waiting").is_hidden()
