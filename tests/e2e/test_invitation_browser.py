"""A manager invites a new starter; the starter joins from the emailed link on their phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.models.base import utcnow
from app.notifications.mail import deliver_due
from tests.e2e.conftest import assert_accessible, open_menu, sign_in

pytestmark = pytest.mark.e2e


def test_new_starter_joins_from_the_invitation_email_on_their_phone(app, make_page, demo, mailbox):
    manager = make_page()
    sign_in(manager, "manager@willow.demo")
    open_menu(manager)
    manager.get_by_role("link", name="People").first.click()
    manager.get_by_role("link", name="Invite by email").click()
    assert_accessible(manager)
    manager.get_by_label("Name").fill("Sam Starter")
    manager.get_by_label("Email address").fill("sam@willow.demo")
    # Started a few days ago: inside the induction weeks, whatever today is.
    started = utcnow() - timedelta(days=3)
    manager.get_by_label("Start date (for new starters)").fill(f"{started:%Y-%m-%d}")
    manager.get_by_role("button", name="Send invitation").click()
    assert "We have emailed Sam Starter an invitation" in manager.get_by_role("status").inner_text()
    assert_accessible(manager)

    # The live server stored the email in its outbox; a worker pass sends it over SMTP.
    with app.app_context():
        assert deliver_due()["sent"] == 1
    (email,) = mailbox.to("sam@willow.demo")
    link = mailbox.link_in(email, "/welcome/")

    starter = make_page()  # a fresh phone-sized browser: no cookies shared with the manager
    starter.goto(link)
    assert (
        "Welcome to LearnLoop, Sam Starter" in starter.get_by_role("heading", level=1).inner_text()
    )
    assert_accessible(starter)
    starter.get_by_label("New password").fill("sunny morning walk")
    starter.get_by_label("The same password again").fill("sunny morning walk")
    starter.get_by_role("button", name="Choose password and sign in").click()
    starter.wait_for_url(lambda url: "/welcome/" not in url)
    landing = "/induction" if "induction.index" in app.view_functions else "/"
    assert starter.url.endswith(landing)
    assert "Welcome to LearnLoop, Sam Starter" in starter.get_by_role("status").inner_text()
    open_menu(starter)
    assert starter.get_by_role("button", name="Sign out").is_visible()
    assert_accessible(starter)


def test_manager_checks_notifications_choices_and_a_csv_file_on_a_small_phone(
    make_page, demo, tmp_path
):
    page = make_page(viewport={"width": 320, "height": 640})
    sign_in(page, "manager@willow.demo")
    page.get_by_role("link", name="Notifications").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert_accessible(page)
    header_link = page.locator("#header-notifications")
    assert "1 new" in header_link.inner_text()
    page.get_by_role("button", name="Mark as read", exact=True).click()  # htmx, in place
    expect(page.locator("#header-notifications")).not_to_contain_text("new")
    assert "Read ·" in page.locator(".notification-list").inner_text()
    page.reload()
    assert "You are all caught up." in page.content()
    page.get_by_role("link", name="Email choices").click()
    assert page.get_by_label("Safety alerts for my service").is_disabled()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"page scrolls sideways at narrow width ({width}px)"

    csv_file = tmp_path / "staff.csv"
    csv_file.write_text("name,email,role,start date\nAda,ada@willow.demo,Wizard,\n")
    page.goto("/people/import")
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Check the file").click()
    assert "1 row needs changing" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
