"""A phone shared on a shift, in a real browser: after a day's use by a supervisor and a care
worker, nothing the device keeps (every Cache Storage entry, every IndexedDB record) holds a
name, what they wrote, or a competency outcome; and signing out, then in as someone else,
leaves no page kept for the first person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.e2e.conftest import PHONE, open_menu, sign_in
from tests.e2e.test_offline_browser import wait_for_service_worker

pytestmark = pytest.mark.e2e

SUPERVISOR = "supervisor@willow.demo"
CARER = "carer@willow.demo"
SUPERVISOR_REPORT = "Supervisor report: the bath thermometer in room 4 reads five degrees low."
CARER_REPORT = "Carer report: Mrs A's fluid chart was blank for the whole afternoon."
ANONYMOUS_REPORT = "Anonymous report: night staff skip the second check on controlled drugs."
REFLECTION = "Reflection: I felt rushed at handover and did not ask about the new pain patch."
OBSERVATION_SUMMARY = "Observation summary: calm, explained each step, checked the sling size."
OUTCOMES = ("Not yet competent", "Competent ·")

# Every Cache Storage entry as {cache, url, body}.
READ_CACHES = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      found.push({ cache: name, url: request.url, body: await response.clone().text() });
    }
  }
  return found;
}"""

# Every IndexedDB record of the origin as {db, store, record} (the record as JSON).
READ_INDEXEDDB = """async () => {
  const found = [];
  const open = (name) => new Promise((done, fail) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error);
  });
  const all = (store) => new Promise((done, fail) => {
    const keys = store.getAllKeys();
    const values = store.getAll();
    values.onsuccess = () => done(keys.result.map((key, i) => ({ key, value: values.result[i] })));
    values.onerror = () => fail(values.error);
  });
  for (const info of await indexedDB.databases()) {
    const database = await open(info.name);
    for (const storeName of database.objectStoreNames) {
      const store = database.transaction(storeName, "readonly").objectStore(storeName);
      for (const record of await all(store)) {
        found.push({ db: info.name, store: storeName, record: JSON.stringify(record) });
      }
    }
    database.close();
  }
  return found;
}"""

# Resolves once every path is kept in some cache (checked up to 10 s).
ALL_STORED = """async (paths) => {
  for (let tries = 0; tries < 100; tries += 1) {
    const found = await Promise.all(paths.map((path) => caches.match(path)));
    if (found.every(Boolean)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}"""


def staff_names(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(User.name)))
        db.session.remove()
        return names


def kept_paths(page) -> set[str]:
    return {entry["url"].split("//", 1)[1].split("/", 1)[1] for entry in page.evaluate(READ_CACHES)}


def send_report_online(page, text: str, anonymous: bool = False) -> None:
    page.goto("/report")
    page.get_by_label("What happened?").fill(text)
    page.get_by_label("Near miss – caught in time").check()
    page.get_by_label("Falls", exact=True).check()
    if anonymous:
        page.get_by_label("Report without my name").check()
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Thank you for telling us.").wait_for()


def write_reflection(page) -> None:
    page.goto("/reflect")
    page.get_by_label("What got in the way?").fill(REFLECTION)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/reflections/*")


def observe_priya(page) -> None:
    page.goto("/observe")
    page.get_by_label("Who are you observing?").select_option(label="Priya Patel")
    page.get_by_label("Which checklist?").select_option(index=1)
    page.get_by_role("button", name="Start observing").click()
    page.wait_for_url("**/observe/*")
    for choice in page.get_by_text("Met", exact=True).all():
        choice.click()
    page.get_by_label("Competent", exact=True).check()
    summary = page.get_by_label("Summary")
    if summary.count():
        summary.first.fill(OBSERVATION_SUMMARY)
    page.get_by_role("button", name="Finish observation").click()
    page.wait_for_url("**/observations/*")


def read_an_article(page) -> str:
    page.goto("/library")
    article = page.locator("a[href^='/library/']").filter(has_not_text="Bulletins").first
    href = article.get_attribute("href")
    page.goto(href)
    page.get_by_role("heading", level=1).wait_for()
    return href


def sign_out(page) -> None:
    open_menu(page)
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/login*")


def test_after_a_day_of_shared_use_the_device_keeps_nothing_personal(make_page, demo, app):
    page = make_page(PHONE)
    sign_in(page, SUPERVISOR)
    wait_for_service_worker(page)
    send_report_online(page, SUPERVISOR_REPORT)
    write_reflection(page)
    observe_priya(page)
    supervisor_article = read_an_article(page)
    page.goto("/")
    assert page.evaluate(ALL_STORED, ["/report", "/reflect", "/observe", supervisor_article])
    sign_out(page)

    sign_in(page, CARER)
    send_report_online(page, CARER_REPORT)
    send_report_online(page, ANONYMOUS_REPORT, anonymous=True)
    write_reflection(page)
    carer_article = read_an_article(page)
    page.goto("/")
    assert page.evaluate(ALL_STORED, ["/report", "/reflect", carer_article])

    forbidden = [
        *staff_names(app),
        SUPERVISOR_REPORT,
        CARER_REPORT,
        ANONYMOUS_REPORT,
        REFLECTION,
        OBSERVATION_SUMMARY,
        *OUTCOMES,
        'name="csrf_token"',  # a form's token
        "hx-headers=",  # the page's token for htmx
        '<meta name="learnloop-user"',
    ]
    cached = page.evaluate(READ_CACHES)
    assert cached, "nothing was kept for offline use"
    for entry in cached:
        if "/static/" in entry["url"]:
            continue  # the app's own files, the same for everyone ("Not yet competent" in code)
        for text in forbidden:
            assert text not in entry["body"], f"{text!r} kept in {entry['cache']} {entry['url']}"
    for entry in page.evaluate(READ_INDEXEDDB):
        for text in forbidden:
            assert text not in entry["record"], f"{text!r} kept in {entry['db']}.{entry['store']}"

    # What was kept still works offline: the report form opens, with nobody's details in it.
    page.context.set_offline(True)
    page.goto("/report")
    assert page.get_by_role("heading", level=1).inner_text() == "Report something"
    page.goto("/observe")  # not this care worker's: the offline page stands in
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"


def test_the_next_person_signing_in_finds_no_page_kept_for_the_first(make_page, demo):
    page = make_page(PHONE)
    sign_in(page, SUPERVISOR)
    wait_for_service_worker(page)
    page.goto("/")
    assert page.evaluate(ALL_STORED, ["/report", "/observe"])
    first_caches = {entry["cache"] for entry in page.evaluate(READ_CACHES)} - {
        name for name in page.evaluate("caches.keys()") if name.startswith("workbox-precache")
    }
    assert first_caches

    sign_out(page)
    remaining = page.evaluate("caches.keys()")
    assert not first_caches & set(remaining)
    assert "observe" not in kept_paths(page)

    sign_in(page, CARER)
    page.goto("/")
    assert page.evaluate(ALL_STORED, ["/report"])
    assert not first_caches & set(page.evaluate("caches.keys()"))
    assert "observe" not in kept_paths(page)  # the care worker cannot observe: never kept


def test_a_sign_in_that_ends_leaves_no_page_kept(make_page, demo, app):
    from app.auth.sessions import end_all_sessions

    page = make_page(PHONE)
    sign_in(page, CARER)
    wait_for_service_worker(page)
    page.goto("/")
    assert page.evaluate(ALL_STORED, ["/report"])
    with app.app_context():  # the session ends (timed out, or an admin ended it)
        end_all_sessions(db.session.scalars(select(User).where(User.email == CARER)).one())
        db.session.remove()
    page.goto("/report")  # sends them to sign in
    page.wait_for_url("**/login*")
    assert not [p for p in kept_paths(page) if p in ("report", "reflect", "observe")]
