"""Two-step sign-in, changing a password and the audit trail, in a real browser."""

from __future__ import annotations

import pyotp
import pytest

from tests.e2e.conftest import assert_accessible, open_menu, sign_in

pytestmark = pytest.mark.e2e


def test_manager_turns_on_two_step_sign_in_and_uses_it(make_page, demo):
    page = make_page()
    sign_in(page, "manager@willow.demo")
    open_menu(page)
    page.get_by_role("link", name="My account").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    assert page.locator("svg.qr").is_visible()
    assert_accessible(page)
    secret = page.locator("code.secret-key").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("The 6-digit code your app shows now").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Two-step sign-in is on"
    assert page.locator(".recovery-codes code").count() == 10
    recovery = page.locator(".recovery-codes code").first.inner_text()
    assert_accessible(page)

    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    # Sign-out first offers unsent drafts to the outbox, then lands on the sign-in page.
    page.wait_for_url("**/login")
    page.get_by_label("Email address").fill("manager@willow.demo")
    page.get_by_label("Password").fill("learnloop-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/two-step*")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(recovery)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    open_menu(page)
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_admin_reads_the_audit_trail_on_a_narrow_screen(make_page, demo):
    page = make_page(viewport={"width": 320, "height": 640})
    sign_in(page, "admin@demo.learnloop")
    open_menu(page)
    page.get_by_role("link", name="Audit trail").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"
    assert "auth.signed_in" in page.locator("tbody").inner_text()
    page.get_by_label("What happened").select_option("auth.signed_in")
    page.get_by_role("button", name="Show").click()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"page scrolls sideways at narrow width ({width}px)"


def test_care_worker_changes_their_password(make_page, demo):
    page = make_page()
    sign_in(page, "carer@willow.demo")
    page.goto("/account/password")
    page.get_by_label("Your current password").fill("learnloop-demo")
    page.get_by_label("New password", exact=True).fill("password1")
    page.get_by_label("New password again").fill("password1")
    page.get_by_role("button", name="Change my password").click()
    assert "too easy to guess" in page.locator(".field__error").inner_text()
    assert_accessible(page)
