"""Signing in on a phone, in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, open_menu, sign_in

pytestmark = pytest.mark.e2e


def test_care_worker_signs_in_on_a_phone_and_sees_home(make_page, demo):
    page = make_page()
    page.goto("/login")
    assert_accessible(page)
    sign_in(page, "carer@willow.demo")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Priya"
    assert_accessible(page)
    # The strict CSP is in force, and htmx loaded under it.
    assert page.evaluate("typeof window.htmx") == "object"


def test_wrong_password_shows_one_calm_message(make_page, demo):
    page = make_page()
    page.goto("/login")
    page.get_by_label("Email address").fill("carer@willow.demo")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "do not match an active account" in alert.inner_text()
    assert page.get_by_label("Email address").input_value() == "carer@willow.demo"
    assert_accessible(page)


def test_manager_adds_a_person_at_200_percent_zoom_width(make_page, demo):
    # 200% zoom on a 390 px phone behaves like a 195 px wide viewport.
    page = make_page(viewport={"width": 320, "height": 640})
    sign_in(page, "manager@willow.demo")
    open_menu(page)
    page.get_by_role("link", name="People").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Add someone").click()
    page.get_by_role("button", name="Add").click()
    assert "Enter their name." in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"page scrolls sideways at narrow width ({width}px)"


def test_sign_out_returns_to_sign_in(make_page, demo):
    page = make_page()
    sign_in(page, "carer@willow.demo")
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert "You have signed out" in page.get_by_role("status").inner_text()
    page.goto("/")
    page.wait_for_url("**/login?next=%2F")
