"""What someone typed survives a form refused for safety, in their own browser only (issue 18, #1).

A stale or broken CSRF token sends the person back to the page with a plain message; the
server never offers the posted values back. The page's own script (kept-typing.js) kept what
they typed when they pressed send, and puts it back there, once. A post from another site was
never typed on our page, so there is nothing to put back.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, open_menu, sign_in
from tests.e2e.test_csrf_browser import attacker_site  # noqa: F401  (the second origin)

pytestmark = pytest.mark.e2e

WHAT_HAPPENED = "Mr B's walking frame was left out of reach after his wash; he tried to stand."
KEPT = "We kept what you typed: check it and send again"
KEPT_IN_TAB = "() => sessionStorage.getItem('learnloop-kept-typing')"
IN_TAB = "() => JSON.stringify(sessionStorage)"


def _break_the_token(page) -> None:
    """As if the form had been open all night: its CSRF token no longer matches."""
    page.locator("form.report-form input[name=csrf_token]").evaluate(
        "input => { input.value = 'left-open-all-night' }"
    )


def _fill_report(page) -> None:
    page.get_by_label("What happened?").fill(WHAT_HAPPENED)
    page.get_by_label("It reached someone").check()
    page.get_by_label("None – no harm").check()
    page.get_by_label("Falls", exact=True).check()
    page.get_by_label("Did anyone see the fall?").select_option("no")
    page.get_by_text("More details (optional)").click()
    page.get_by_label("Where?").fill("Bathroom, room 4")


def test_a_report_refused_for_a_stale_token_comes_back_filled_in(make_page, demo):
    page = make_page(PHONE)
    sign_in(page, "carer@willow.demo")
    page.goto("/report")
    _fill_report(page)
    _break_the_token(page)
    page.get_by_role("button", name="Send report").click()

    # Back on the form, with the plain refusal and, from the browser, what they typed.
    page.wait_for_url("**/report")
    expect(page.locator("[data-csrf-refused]")).to_contain_text("we did not save that")
    expect(page.get_by_role("status").filter(has_text=KEPT)).to_be_visible()
    assert page.get_by_label("What happened?").input_value() == WHAT_HAPPENED
    assert page.get_by_label("It reached someone").is_checked()
    assert page.get_by_label("None – no harm").is_checked()
    assert page.get_by_label("Falls", exact=True).is_checked()
    expect(page.get_by_label("Did anyone see the fall?")).to_have_value("no")
    assert page.get_by_label("Where?").input_value() == "Bathroom, room 4"
    # The token is the page's new one, never the broken one it was sent with.
    token = page.locator("form.report-form input[name=csrf_token]").input_value()
    assert token and token != "left-open-all-night"
    assert page.evaluate(KEPT_IN_TAB) is None  # put back once, then forgotten
    assert_accessible(page)

    page.get_by_role("button", name="Send report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us."
    page.goto("/report")  # a later visit starts empty
    assert page.get_by_label("What happened?").input_value() == ""
    expect(page.get_by_text(KEPT)).to_have_count(0)


def test_nothing_is_put_back_without_the_refusal_and_signing_out_leaves_nothing(make_page, demo):
    page = make_page(PHONE)
    sign_in(page, "carer@willow.demo")
    page.goto("/report")
    page.get_by_label("What happened?").fill(WHAT_HAPPENED)
    page.get_by_label("Near miss – caught in time").check()
    page.get_by_role("button", name="Send report").click()  # refused by the form's own rules
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.evaluate(KEPT_IN_TAB) is None
    expect(page.get_by_text(KEPT)).to_have_count(0)

    # A password is never kept; the kept text goes with signing out.
    page.goto("/account/password")
    passwords = page.locator("input[type=password]").all()
    assert len(passwords) >= 2
    for field in passwords:
        field.fill("not-my-real-password")
    page.locator("main form").first.evaluate(
        "form => { form.addEventListener('submit', e => e.preventDefault(), {once: true});"
        " form.requestSubmit(); }"
    )
    assert "not-my-real-password" not in page.evaluate(IN_TAB)
    page.goto("/report")
    page.get_by_label("What happened?").fill("Typed, then held back")
    page.locator("form.report-form").evaluate(
        "form => { form.addEventListener('submit', e => e.preventDefault(), {once: true});"
        " form.requestSubmit(); }"
    )
    assert "Typed, then held back" in page.evaluate(IN_TAB)
    # Signing out in another tab of the same browser empties this tab too.
    other_tab = page.context.new_page()
    other_tab.goto("/")
    open_menu(other_tab)
    other_tab.get_by_role("button", name="Sign out").last.click()
    other_tab.wait_for_url("**/login**")
    page.wait_for_function("() => !JSON.stringify(sessionStorage).includes('held back')")
    assert "Typed, then held back" not in page.evaluate(IN_TAB)


ATTACK_ON_THE_REPORT_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Free coffee</title></head>
<body>
<form id="attack" method="post" action="{action}">
  <input type="hidden" name="description" value="Words the person never typed">
  <input type="hidden" name="kind" value="near_miss">
  <input type="hidden" name="category" value="other">
  <input type="hidden" name="csrf_token" value="forged">
</form>
<script>document.getElementById("attack").submit();</script>
</body></html>
"""


def test_a_post_from_another_site_is_never_put_back(
    browser,
    _no_connection_crosses_the_fork,
    live_server,
    demo,
    attacker_site,  # noqa: F811
):
    # Its own context: the refusal's 400 is expected here (see test_csrf_browser.py).
    context = browser.new_context(viewport=PHONE, base_url=live_server.url())
    page = context.new_page()
    try:
        sign_in(page, "carer@willow.demo")
        page.goto("/report")
        page.get_by_label("What happened?").fill("My own words, not sent")
        attack = attacker_site(
            "/coffee.html", ATTACK_ON_THE_REPORT_FORM.format(action=live_server.url("/report"))
        )
        page.goto(attack)
        page.wait_for_url("**/report")
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "That was not saved"
        assert "Words the person never typed" not in page.content()
        expect(page.get_by_text(KEPT)).to_have_count(0)
        assert page.evaluate(KEPT_IN_TAB) is None

        page.get_by_role("link", name="Go to the home page").click()
        page.wait_for_url("**/")
        page.goto("/report")
        assert page.get_by_label("What happened?").input_value() == ""
        expect(page.get_by_text(KEPT)).to_have_count(0)
    finally:
        context.close()
