"""Working offline in a real browser: installable, pages from the cache, and an outbox that
keeps what people write until it reaches the server exactly once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.sessions import end_all_sessions
from app.extensions import db
from app.models import Observation, ObservationStatus, Reflection, Report, User
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    assert_accessible,
    open_menu,
    sign_in,
)
from tests.functional.anonymous_release import release_held

pytestmark = pytest.mark.e2e

CARER = "carer@willow.demo"

# A form that opts in to the outbox, as the report form does with data-outbox.
ADD_FORM = """async (kind) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/report";
  form.dataset.outbox = "/api/v1/reports";
  form.dataset.outboxAlways = "";
  form.dataset.outboxLabel = "Near miss";
  form.innerHTML = `
    <label for="description">What happened?</label>
    <textarea id="description" name="description"></textarea>
    <input type="hidden" name="kind" value="${kind}">
    <label for="physical_harm">Physical harm</label>
    <select id="physical_harm" name="physical_harm">
      <option value="">Choose one</option><option value="none">None</option>
    </select>
    <input type="hidden" name="category" value="falls">
    <input type="hidden" name="time_bracket" value="night_shift">
    <button type="submit">Send report</button>`;
  document.querySelector("main").append(form);
  const { enhanceForm } = await import("/static/js/outbox-ui.js");
  await enhanceForm(form);
}"""


# An anonymous draft waits 5 to 60 s before it goes by itself; a test need not wait so long.
SHORT_ANONYMOUS_DELAY = "globalThis.learnloopOutboxTiming = { anonymousDelay: [300, 600] };"


# What the browser itself logs while the outbox does its job: a send tried just as the
# connection came back, and the server's answers that the outbox acts on.
EXPECTED_NOISE = (
    "ERR_INTERNET_DISCONNECTED",
    "status of 401",
    "status of 400",
    # htmx reports a question loaded or an answer saved as you tap that failed offline:
    "htmx:sendError",
    "htmx:afterRequest",
)


@pytest.fixture
def phone(browser, _no_connection_crosses_the_fork, live_server):
    """A phone page whose only allowed console errors are the browser's EXPECTED_NOISE."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url())
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    yield page
    context.close()
    unexpected = [e for e in errors if not any(noise in e for noise in EXPECTED_NOISE)]
    assert not unexpected, unexpected


def reports_saying(app, text: str) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Report).where(Report.description == text)
        )
        db.session.remove()
        return count


def wait_for_service_worker(page) -> None:
    """Wait until the service worker is active; a page opened while it was still installing
    is controlled from its next load, as in any browser."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def badge_count(page) -> str:
    return page.locator("[data-outbox-count]").inner_text()


def write_report(page, text: str, kind: str = "near_miss") -> None:
    page.evaluate(ADD_FORM, kind)
    page.get_by_label("What happened?").fill(text)
    page.get_by_role("button", name="Send report").click()


# Resolves true once `path` is in the service worker's caches (checked up to 10 s).
STORED = """async (path) => {
  for (let tries = 0; tries < 100; tries += 1) {
    if (await caches.match(path)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}"""


def open_offline(page, path: str) -> None:
    """Open `path` online once, then reload it with no connection: from the cache."""
    page.goto(path)
    wait_for_service_worker(page)
    page.reload()  # a visit the worker sees (the first may have come before it took charge)
    # The worker stores the page just after handing it over: wait until it is stored.
    assert page.evaluate(STORED, path), f"{path} was never kept for offline use"
    page.context.set_offline(True)
    page.reload()


def saved_then_sent(page) -> None:
    """Saved on this device; back online it sends by itself and the badge goes back to 0."""
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    page.locator("[data-outbox-badge]").wait_for(state="visible")
    assert badge_count(page) == "1"
    page.context.set_offline(False)
    page.locator("[data-outbox-badge]").wait_for(state="hidden")
    assert badge_count(page) == "0"


def count_of(app, model, *where) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return count


def fill_near_miss(page, text: str) -> None:
    page.get_by_label("What happened?").fill(text)
    page.get_by_label("Near miss – caught in time").check()
    page.get_by_label("Falls", exact=True).check()


def test_a_report_written_offline_is_sent_once_when_back_online(phone, demo, app):
    page = phone
    sign_in(page, CARER)
    open_offline(page, "/report")
    assert page.get_by_role("heading", level=1).inner_text() == "Report something"
    assert_accessible(page)

    text = "Mr B nearly slipped on a wet floor by the lift; I put a sign out."
    fill_near_miss(page, text)
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    assert reports_saying(app, text) == 0
    saved_then_sent(page)
    assert reports_saying(app, text) == 1
    # Later page loads and coming back to the tab send nothing again.
    page.goto("/outbox")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.get_by_text("Nothing is waiting").wait_for()
    assert reports_saying(app, text) == 1
    assert_accessible(page)


def test_an_anonymous_report_sent_later_shows_its_receipt_code_until_written_down(phone, demo, app):
    page = phone
    page.add_init_script(SHORT_ANONYMOUS_DELAY)  # it goes by itself 5 to 60 s later otherwise
    sign_in(page, CARER)
    open_offline(page, "/report")
    text = "Agency worker left the sluice room door propped open."
    fill_near_miss(page, text)
    page.get_by_label("Report without my name").check()
    page.get_by_role("button", name="Send report").click()
    saved_then_sent(page)
    receipt = page.locator("[data-outbox-receipts]")
    receipt.wait_for()
    code = receipt.locator(".receipt__code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    assert_accessible(page)
    assert reports_saying(app, text) == 0  # held for release to managers
    assert release_held(app) == 1
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.description == text)).one()
        assert report.anonymous and report.reporter_id is None
        db.session.remove()
    # Still there on the next page, until they say they have it.
    page.goto("/library")
    assert page.locator("[data-outbox-receipts] .receipt__code").inner_text() == code
    page.get_by_role("button", name="I have noted it").click()
    page.locator("[data-outbox-receipts]").wait_for(state="detached")
    page.reload()
    assert page.locator("[data-outbox-receipts]").count() == 0


def test_a_reflection_written_offline_is_sent_once(phone, demo, app):
    page = phone
    sign_in(page, CARER)
    open_offline(page, "/reflect")
    assert page.get_by_role("heading", level=1).inner_text() == "Reflect on a shift"
    text = "Handover was rushed; I missed that Mrs K had a new pain patch."
    page.get_by_label("What got in the way?").fill(text)
    page.get_by_label("Share with my supervisor").check()
    page.get_by_role("button", name="Save").click()
    saved_then_sent(page)
    with app.app_context():
        reflection = db.session.scalars(select(Reflection).order_by(Reflection.id.desc())).first()
        assert reflection.answers == {"hindered": text}
        assert reflection.shared_with_supervisor and reflection.device_time is not None
        db.session.remove()
    assert count_of(app, Reflection, Reflection.channel == "sync") == 1


def test_an_observation_finished_offline_is_sent_once(phone, demo, app):
    page = phone
    sign_in(page, "supervisor@willow.demo")
    finished = (Observation.status == ObservationStatus.COMPLETED,)
    before = count_of(app, Observation, *finished)
    page.goto("/observe")
    page.get_by_label("Who are you observing?").select_option(label="Priya Patel")
    page.get_by_label("Which checklist?").select_option(index=1)
    page.get_by_role("button", name="Start observing").click()
    page.wait_for_url("**/observe/*")
    draft_id = int(page.url.rsplit("/", 1)[1])
    wait_for_service_worker(page)
    page.context.set_offline(True)  # the draft page is open; the signal goes
    for choice in page.get_by_text("Met", exact=True).all():
        choice.click()
    page.get_by_label("Competent", exact=True).check()
    page.get_by_role("button", name="Finish observation").click()
    saved_then_sent(page)
    with app.app_context():
        observation = db.session.get(Observation, draft_id)
        assert observation.status is ObservationStatus.COMPLETED
        assert observation.client_id and observation.device_time is not None
        db.session.remove()
    assert count_of(app, Observation, *finished) == before + 1


def test_when_the_sign_in_ends_offline_the_report_waits_for_sign_in(phone, demo, app):
    page = phone
    context = page.context
    sign_in(page, CARER)
    page.goto("/outbox")
    wait_for_service_worker(page)
    context.set_offline(True)
    text = "Medication trolley left unlocked in the corridor for a few minutes."
    write_report(page, text)
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()

    with app.app_context():  # the sign-in ends while the phone is offline
        end_all_sessions(db.session.scalars(select(User).where(User.email == CARER)).one())
        db.session.remove()
    context.set_offline(False)
    alert = page.get_by_role("alert").filter(has_text="sign in again").first
    alert.wait_for()
    assert "Nothing has been lost" in alert.inner_text()
    assert badge_count(page) == "1"
    assert reports_saying(app, text) == 0
    assert_accessible(page)

    alert.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(CARER)
    page.get_by_label("Password").fill("learnloop-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/outbox")
    page.get_by_text("Nothing is waiting").wait_for()
    assert badge_count(page) == "0"
    assert reports_saying(app, text) == 1


def test_a_page_kept_for_offline_opens_offline_and_personal_pages_do_not(make_page, demo):
    page = make_page()
    sign_in(page, CARER)
    page.goto("/offline")
    wait_for_service_worker(page)
    page.goto("/")  # personal: never stored
    page.context.set_offline(True)
    page.goto("/offline")
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"
    assert_accessible(page)
    page.goto("/")
    # The home page was not kept: the offline page stands in for it.
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"
    stored = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
          }
          return urls.map((u) => new URL(u).pathname);
        }"""
    )
    assert "/offline" in stored
    assert "/" not in stored and not any(p.startswith("/api/") for p in stored)


def test_sign_out_warns_about_unsent_items_first(phone, demo, app):
    page = phone
    sign_in(page, CARER)
    wait_for_service_worker(page)
    page.context.set_offline(True)
    write_report(page, "Call bell in room 4 not working.")
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    warning = page.get_by_role("alert").filter(has_text="still waiting to send")
    warning.wait_for()
    assert "1 thing is still waiting" in warning.inner_text()
    assert page.get_by_role("button", name="Sign out anyway").is_visible()
    assert_accessible(page)
    page.context.set_offline(False)  # signal again: it sends by itself, once
    page.locator("[data-outbox-badge]").wait_for(state="hidden")
    # A form page kept for this person (as the service worker keeps /report) ...
    page.evaluate(
        """async () => (await caches.open("learnloop-forms"))
             .put("/report", new Response("<h1>Report</h1>"))"""
    )
    page.get_by_role("button", name="Sign out anyway").click()
    page.wait_for_url("**/login")
    assert reports_saying(app, "Call bell in room 4 not working.") == 1
    # ... is gone once they have signed out.
    page.wait_for_function("""async () => !(await caches.has("learnloop-forms"))""")


def test_the_app_can_be_installed(
    browser, _no_connection_crosses_the_fork, live_server, tmp_path, demo
):
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        base_url=live_server.url(),
        viewport=PHONE,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        installability = cdp.send("Page.getInstallabilityErrors")
    finally:
        context.close()
    assert manifest["errors"] == []
    assert installability["installabilityErrors"] == []


def test_answers_to_fix_are_shown_and_the_fixed_report_sends_once(phone, demo, app):
    page = phone
    sign_in(page, CARER)
    text = "Mrs D slid from her chair to the floor; no injury seen."
    write_report(page, text, kind="incident")
    page.get_by_role("status").filter(has_text="Some answers need checking").wait_for()
    assert "Choose whether anyone was hurt." in page.locator("[data-outbox-error]").inner_text()
    assert page.get_by_label("Physical harm").get_attribute("aria-invalid") == "true"
    assert badge_count(page) == "1"
    assert reports_saying(app, text) == 0
    assert_accessible(page)

    page.get_by_label("Physical harm").select_option("none")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Thank you, it is sent").wait_for()
    page.locator("[data-outbox-badge]").wait_for(state="hidden")
    assert reports_saying(app, text) == 1


def test_a_library_article_read_online_opens_offline(phone, demo):
    """(d) A care worker reads an article with signal; on the bus without it, it still opens.
    (Only "have I read this?" cannot load offline: htmx logs that, as EXPECTED_NOISE allows.)"""
    page = phone
    sign_in(page, CARER)
    page.goto("/library")
    wait_for_service_worker(page)
    article = page.locator("a[href^='/library/']").filter(has_not_text="Bulletins").first
    href = article.get_attribute("href")
    page.goto(href)
    title = page.get_by_role("heading", level=1).inner_text()
    page.reload()  # the worker now controls the page and keeps the article as it passes
    page.context.set_offline(True)
    page.goto(href)
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert_accessible(page)


def test_a_report_sent_offline_before_the_outbox_has_started_is_kept(phone, demo, app):
    """The outbox (most of the offline script) starts when someone starts on the form. A form
    sent before that, with no typing the page saw (filled in by the browser, say), still waits
    on the device and is sent once, rather than failing for want of a connection."""
    page = phone
    sign_in(page, CARER)
    open_offline(page, "/report")
    form = page.locator("form[data-outbox]")
    assert form.get_attribute("data-outbox-ready") is None  # not started yet
    text = "Bed rails left down in room 2 after personal care; raised them."
    form.evaluate(
        """(form, text) => {
          form.elements.description.value = text;
          form.querySelector("input[name=kind][value=near_miss]").checked = true;
          form.querySelector("input[name=category][value=falls]").checked = true;
          form.requestSubmit();
        }""",
        text,
    )
    saved_then_sent(page)
    assert reports_saying(app, text) == 1
