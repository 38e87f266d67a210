"""The outbox never stalls and never drops, and drafts belong to the person who wrote them.

Real browser, real app: every answer the outbox acts on (400, 401, 422) comes from the app
itself. `page.route` only stands in for what a test cannot make the app do on cue: a server
error (503) or a connection that breaks, for one draft.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.sessions import end_all_sessions
from app.extensions import db
from app.models import PhysicalHarm, Report, User
from app.reports.services import submit_report
from tests.e2e.conftest import PHONE, assert_accessible, open_menu, sign_in
from tests.e2e.test_offline_browser import (
    badge_count,
    fill_near_miss,
    open_offline,
    reports_saying,
)
from tests.functional.anonymous_release import release_held

pytestmark = pytest.mark.e2e

CARER = "carer@willow.demo"  # Priya Patel
SUPERVISOR = "supervisor@willow.demo"  # Tom Walsh, who picks up the same phone

# What Chromium logs by itself while the phone is offline (a fetch tried without a
# connection, a follow-up question htmx could not load): not faults of the page.
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")

# IndexedDB read back through the app's own outbox module.
ENTRIES = """async () => {
  const outbox = await import("/static/js/outbox.js");
  return outbox.allEntries();
}"""


@pytest.fixture
def phone_expecting(browser, _no_connection_crosses_the_fork, live_server):
    """phone_expecting(*messages) opens a phone page. Any console error or CSP violation fails
    the test, except the browser's own log of the answers the test provokes on purpose
    (e.g. "status of 503") and of being offline."""
    opened = []

    def _open(*expected: str):
        context = browser.new_context(viewport=PHONE, base_url=live_server.url())
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        opened.append((context, errors, (*expected, *OFFLINE_NOISE)))
        return page

    yield _open
    unexpected = []
    for context, errors, allowed in opened:
        context.close()
        unexpected += [e for e in errors if not any(text in e for text in allowed)]
    assert not unexpected, unexpected


def user_id(app, email: str) -> int:
    with app.app_context():
        found = db.session.scalars(select(User.id).where(User.email == email)).one()
        db.session.remove()
        return found


def reports_where(app, *where) -> list[Report]:
    with app.app_context():
        found = list(db.session.scalars(select(Report).where(*where)))
        db.session.expunge_all()
        db.session.remove()
        return found


def wait_until(page, check, seconds: float = 20, what: str = "it") -> None:
    """Poll `check` while the page runs (Playwright handles its events and routes only while
    the test waits through it, not in time.sleep)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        page.wait_for_timeout(200)


def save_offline(page, text: str, *, anonymous: bool = False) -> str:
    """Write a near miss on the /report form opened offline; returns the draft's client_id."""
    fill_near_miss(page, text)
    if anonymous:
        page.get_by_label("Report without my name").check()
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    entries = page.evaluate(ENTRIES)
    return next(e["clientId"] for e in entries if e["body"]["description"] == text)


def next_form_offline(page) -> None:
    """A new report, on the form the phone keeps for offline use."""
    page.reload()
    page.locator("form[data-outbox][data-outbox-ready]").wait_for(state="attached")


def test_a_draft_waits_for_the_person_who_wrote_it_on_a_shared_phone(phone_expecting, demo, app):
    """Two people use one phone in turn. Priya's draft is never sent under Tom's sign-in, Tom
    is only told that someone else's drafts wait, and it is sent once, as Priya's, when she
    signs in again."""
    page = phone_expecting("status of 401")
    posts: list[str] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and "/api/v1/reports" in r.url and posts.append(r.url),
    )
    sign_in(page, CARER)
    open_offline(page, "/report")
    text = "Mrs H's walking frame was left out of reach overnight; moved it back by her bed."
    save_offline(page, text)

    with app.app_context():  # Priya's shift ends; her sign-in ends with it, phone offline
        end_all_sessions(db.session.scalars(select(User).where(User.email == CARER)).one())
        db.session.remove()
    page.context.set_offline(False)
    page.get_by_role("alert").filter(has_text="sign in again").first.wait_for()

    # Tom picks up the phone and signs in with a connection.
    sign_in(page, SUPERVISOR)
    page.goto("/outbox")
    others = page.locator("[data-outbox-others]")
    others.wait_for()
    assert others.inner_text() == (
        "Drafts from another person are waiting on this device. "
        "They send when that person signs in here."
    )
    page.get_by_text("Nothing is waiting").wait_for()
    assert text[:20] not in page.content()  # nothing of the draft is shown to him
    assert page.locator("[data-outbox-badge]").is_hidden()
    assert_accessible(page)
    assert page.get_by_role("button", name="Send now").is_hidden()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # another try
    page.reload()
    others.wait_for()
    assert posts == []  # the phone never even tried to send it under Tom's sign-in
    assert reports_saying(app, text) == 0

    # Tom signs out; Priya signs in again: her draft is sent, once, under her name.
    page.goto("/")
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    sign_in(page, CARER)
    wait_until(
        page, lambda: reports_saying(app, text) == 1, what="Priya's draft reaching the server"
    )
    page.goto("/outbox")
    page.get_by_text("Nothing is waiting").wait_for()
    assert page.locator("[data-outbox-others]").is_hidden()
    stored = reports_where(app, Report.description == text)
    assert len(stored) == 1 and len(posts) == 1
    assert stored[0].reporter_id == user_id(app, CARER) and not stored[0].anonymous


def test_a_draft_left_at_sign_out_is_sent_only_when_its_writer_is_back(phone_expecting, demo, app):
    """Priya signs out with a draft the server could not take yet ("Sign out anyway"). Tom
    signs in on the same phone with the server working again: nothing is sent under his name.
    Priya signs in: it arrives once, as hers."""
    page = phone_expecting("status of 503")
    sign_in(page, CARER)
    open_offline(page, "/report")
    text = "Pressure mattress pump in room 6 was alarming and switched off at the wall."
    save_offline(page, text)
    page.route("**/api/v1/reports", lambda route: route.fulfill(status=503, json={}))
    page.context.set_offline(False)
    page.get_by_role("status").filter(has_text="could not take it just now").wait_for()
    page.goto("/")
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("alert").filter(has_text="1 thing is still waiting").wait_for()
    page.get_by_role("button", name="Sign out anyway").click()
    page.wait_for_url("**/login")
    page.unroute("**/api/v1/reports")  # the server is well again

    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and "/api/v1/" in r.url and posts.append(r.url))
    sign_in(page, SUPERVISOR)
    page.goto("/outbox")
    page.locator("[data-outbox-others]").wait_for()
    page.wait_for_timeout(3000)  # longer than the draft's first wait after server trouble
    page.goto("/")
    assert posts == [] and reports_saying(app, text) == 0

    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    sign_in(page, CARER)
    wait_until(page, lambda: reports_saying(app, text) == 1, what="Priya's draft arriving")
    stored = reports_where(app, Report.description == text)
    assert len(stored) == 1 and stored[0].reporter_id == user_id(app, CARER)
    assert len(posts) == 1


def test_a_draft_the_server_cannot_take_waits_while_the_others_are_sent(phone_expecting, demo, app):
    """Three drafts wait. The server fails one (a 503, then a broken connection); the other two
    are sent at once, and the failing one is tried again by itself, later each time, and
    arrives exactly once."""
    page = phone_expecting("status of 503", "ERR_CONNECTION_RESET")
    page.add_init_script("globalThis.learnloopOutboxTiming = { retryFirst: 3000 };")
    sign_in(page, CARER)
    open_offline(page, "/report")
    texts = [
        "Hoist battery ran flat halfway through a transfer; used the spare.",
        "Mr J's thickener was missing from the lunch trolley; fetched it from the kitchen.",
        "Fire door by the laundry was wedged open; removed the wedge and told the manager.",
    ]
    ids = []
    for text in texts:
        ids.append(save_offline(page, text))
        next_form_offline(page)
    failing = ids[1]

    tries: list[float] = []  # when the failing draft reached the network, in seconds

    def server_in_trouble(route):
        request = route.request
        if request.method != "POST" or (request.post_data_json or {}).get("client_id") != failing:
            route.continue_()
            return
        tries.append(time.monotonic())
        if len(tries) == 1:
            route.fulfill(status=503, json={"error": "The server is busy."})
        elif len(tries) == 2:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/reports", server_in_trouble)
    page.goto("/outbox")  # the list of what waits, then the signal comes back
    page.context.set_offline(False)
    wait_until(
        page,
        lambda: reports_saying(app, texts[0]) == 1 and reports_saying(app, texts[2]) == 1,
        what="the two good drafts arriving",
    )
    wait_until(page, lambda: len(tries) >= 1, what="a first try of the failing draft")
    assert reports_saying(app, texts[1]) == 0
    waiting = page.locator("[data-outbox-entry]")
    waiting.filter(has_text="tries again by itself").wait_for()
    assert waiting.count() == 1
    assert_accessible(page)
    entry = next(e for e in page.evaluate(ENTRIES) if e["clientId"] == failing)
    assert entry["attempts"] >= 1 and entry["nextTryAt"]

    wait_until(
        page, lambda: reports_saying(app, texts[1]) == 1, seconds=30, what="the retry arriving"
    )
    page.get_by_text("Nothing is waiting").wait_for()
    assert len(tries) == 3
    # Backoff (first wait set to 3 s here, 2 s in use): 1.5 to 3 s, then 3 to 6 s.
    assert tries[1] - tries[0] >= 1.4 and tries[2] - tries[1] >= 2.9
    for text in texts:
        assert reports_saying(app, text) == 1


def test_a_refused_draft_shows_the_servers_message_and_can_be_fixed(phone_expecting, demo, app):
    """An incident saved offline without saying whether anyone was hurt: the server refuses it
    (400). It stays on the phone with the server's message, opens in the form with its answers
    to fix, and is sent once."""
    page = phone_expecting("status of 400")
    sign_in(page, CARER)
    open_offline(page, "/report")
    text = "Mrs D slid from her chair to the floor in the lounge; helped up with the hoist."
    page.get_by_label("What happened?").fill(text)
    page.get_by_label("It reached someone").check()
    page.get_by_label("Falls", exact=True).check()
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    page.context.set_offline(False)
    page.get_by_role("status").filter(has_text="Some answers need checking").wait_for()

    page.goto("/outbox")
    card = page.locator("[data-outbox-entry='fix']")
    card.wait_for()
    assert card.locator("[data-outbox-message]").inner_text() == "Some answers need checking."
    assert "Choose whether anyone was hurt." in card.inner_text()
    assert badge_count(page) == "1"
    assert_accessible(page)
    page.reload()  # it stays on the phone, not tried again as it is
    card.wait_for()
    assert reports_saying(app, text) == 0

    card.get_by_role("link", name="Check the answers").click()
    page.wait_for_url("**/report?draft=*")
    expect(page.get_by_label("What happened?")).to_have_value(text)  # filled once the outbox starts
    assert page.get_by_label("It reached someone").is_checked()
    harm = page.get_by_label("None – no harm")
    harm.wait_for()
    assert (
        page.locator("[data-outbox-error]").first.inner_text() == "Choose whether anyone was hurt."
    )
    harm.check()
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Thank you, it is sent").wait_for()
    page.locator("[data-outbox-badge]").wait_for(state="hidden")
    stored = reports_where(app, Report.description == text)
    assert len(stored) == 1 and stored[0].physical_harm is PhysicalHarm.NONE


def test_a_conflicting_draft_can_be_sent_as_a_new_report(phone_expecting, demo, app):
    """The draft's client_id already reached the server with other answers (the first send
    arrived, its answer was lost, then the text was edited offline): 422. The edited text is
    kept and goes as a second report when asked."""
    page = phone_expecting("status of 422")
    sign_in(page, CARER)
    open_offline(page, "/report")
    hidden = page.locator("form[data-outbox] input[name=client_id]")
    page.wait_for_function(
        "() => document.querySelector('form[data-outbox] input[name=client_id]').value"
    )
    client_id = hidden.input_value()
    first = "Call bell in room 9 did not ring at the desk."
    with app.app_context():  # the first send, which reached the server
        carer = db.session.scalars(select(User).where(User.email == CARER)).one()
        answers = {"description": first, "kind": "near_miss", "category": "equipment"}
        submit_report(carer, answers, client_id=client_id, channel="sync")
        db.session.remove()

    edited = "Call bell in room 9 did not ring at the desk; maintenance replaced the unit."
    fill_near_miss(page, edited)
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    page.context.set_offline(False)
    page.get_by_role("status").filter(has_text="already sent with different answers").wait_for()

    page.goto("/outbox")
    card = page.locator("[data-outbox-entry='conflict']")
    card.wait_for()
    assert card.locator("[data-outbox-message]").inner_text() == (
        "This draft was already sent with different answers."
    )
    assert edited[:60] in card.inner_text()
    assert card.get_by_role("button", name="Remove from this device").is_visible()
    assert_accessible(page)
    card.get_by_role("button", name="Send as a new report").click()
    page.get_by_text("Nothing is waiting").wait_for()

    assert reports_saying(app, first) == 1
    again = reports_where(app, Report.description == edited)
    assert len(again) == 1 and again[0].client_id != client_id
    assert again[0].reporter_id == user_id(app, CARER)


def test_anonymous_drafts_go_alone_after_the_named_ones(phone_expecting, demo, app):
    """A named and an anonymous report wait on the phone. The named one goes as soon as the
    connection is back; the anonymous one in a request of its own, a random while later (here
    shortened to 2 to 3 s; 5 to 60 s in use)."""
    page = phone_expecting()
    page.add_init_script("globalThis.learnloopOutboxTiming = { anonymousDelay: [2000, 3000] };")
    sent: list[dict] = []  # each POST of a report: its body and when it started (ms since 1970)
    page.on(
        "requestfinished",
        lambda r: (
            r.method == "POST"
            and r.url.endswith("/api/v1/reports")
            and sent.append({"body": r.post_data_json, "at": r.timing["startTime"]})
        ),
    )
    sign_in(page, CARER)
    open_offline(page, "/report")
    named = "Wet floor sign missing outside the kitchen after mopping."
    anonymous = "A colleague skipped the second check on a controlled drug."
    save_offline(page, anonymous, anonymous=True)
    draft = next(e for e in page.evaluate(ENTRIES) if e["body"]["description"] == anonymous)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}", draft["receiptCode"])
    next_form_offline(page)
    save_offline(page, named)

    page.context.set_offline(False)
    wait_until(page, lambda: reports_saying(app, named) == 1, what="the named report arriving")
    assert reports_saying(app, anonymous) == 0  # not with it
    page.locator("[data-outbox-receipts]").wait_for(timeout=15000)
    assert reports_saying(app, anonymous) == 0  # held until its release window
    release_held(app)
    assert reports_saying(app, anonymous) == 1
    page.locator("[data-outbox-badge]").wait_for(state="hidden")

    assert [item["body"]["description"] for item in sent] == [named, anonymous]
    assert "anonymous" not in sent[0]["body"] and sent[1]["body"]["anonymous"] is True
    assert sent[1]["at"] - sent[0]["at"] >= 2000
    stored = reports_where(app, Report.description == anonymous)
    assert stored[0].anonymous and stored[0].reporter_id is None


def test_receipt_codes_made_on_the_phone_favour_no_letter(make_page, demo):
    """The phone draws receipt codes from the server's 31 letters and digits. Reading a random
    byte modulo 31 would make the first 8 about 12% likelier than the rest, which narrows a guess;
    rejection sampling keeps them even (640,000 letters: each within a few per cent)."""
    page = make_page()
    page.goto("/login")
    counts = page.evaluate(
        """async () => {
          const { newReceiptCode } = await import("/static/js/outbox.js");
          const counts = {};
          for (let i = 0; i < 40000; i += 1) {
            for (const letter of newReceiptCode().replaceAll("-", "")) {
              counts[letter] = (counts[letter] || 0) + 1;
            }
          }
          return counts;
        }"""
    )
    assert sorted(counts) == sorted("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    assert max(counts.values()) / min(counts.values()) < 1.08
