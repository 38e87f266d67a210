"""Invitations and password resets: single-use, expiring links received over real SMTP."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AccountLink, OutboundEmail, User, utcnow
from app.notifications.mail import deliver_due
from tests.conftest import csrf_token_from, post_form, sign_in


def signed_in_client(app, user):
    """A client of its own for each person. (pytest-flask's `client` keeps its last app context
    pushed, which a second client's requests would then share, signed-in user and all.)"""
    own = app.test_client()
    assert sign_in(own, user.email).status_code == 302
    return own


def deliver(app) -> dict:
    with app.app_context():
        return deliver_due()


def invite(client, world, **overrides):
    data = {
        "name": "Nia Newstart",
        "email": "nia@willow.example.org",
        "role": "staff",
        "service_id": str(world.willow.id),
        "started_on": "2026-11-23",
        **overrides,
    }
    return post_form(client, "/people/invite", data, page_url="/people/invite")


def choose_password(client, path: str, password: str = "a brand new password", **extra):  # noqa: S107
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    token = csrf_token_from(page.get_data(as_text=True))
    data = {"password": password, "confirm": password, "csrf_token": token, **extra}
    return client.post(path, data=data)


def test_invited_starter_gets_an_email_and_sets_their_own_password(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    response = invite(client, world)
    assert response.status_code == 302
    assert deliver(app)["sent"] == 1

    (message,) = mailbox.to("nia@willow.example.org")
    assert message["Subject"] == "You are invited to LearnLoop at Willow House"
    assert "Manager Willow has invited you" in mailbox.body(message)
    link = mailbox.link_in(message, "/welcome/")

    newcomer = app.test_client()
    assert "Welcome to LearnLoop, Nia Newstart" in newcomer.get(link).get_data(as_text=True)
    landed = choose_password(newcomer, link)
    assert (
        landed.status_code == 302 and landed.headers["Location"] == "/induction"
    )  # their reading list
    home = newcomer.get("/")
    assert home.status_code == 200 and "Sign out" in home.get_data(as_text=True)
    post_form(newcomer, "/logout", {})
    assert sign_in(newcomer, "nia@willow.example.org", "a brand new password").status_code == 302


def test_an_invitation_link_works_only_once(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    invite(client, world)
    deliver(app)
    link = mailbox.link_in(mailbox.messages[0], "/welcome/")
    assert choose_password(app.test_client(), link).status_code == 302
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)


def test_an_invitation_expires_after_72_hours(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    invite(client, world)
    deliver(app)
    link = mailbox.link_in(mailbox.messages[0], "/welcome/")
    with app.app_context():
        stored = db.session.scalars(select(AccountLink)).one()
        lifetime = stored.expires_at - stored.created_at
        stored.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert lifetime == timedelta(hours=72)
    assert app.test_client().get(link).status_code == 410


def test_invitation_lifetime_is_configurable(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_HOURS", 24)
    client = signed_in_client(app, world.manager)
    invite(client, world)
    with app.app_context():
        stored = db.session.scalars(select(AccountLink)).one()
        assert stored.expires_at - stored.created_at == timedelta(hours=24)


def test_only_a_hash_of_the_link_is_stored(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    invite(client, world)
    deliver(app)
    token = mailbox.link_in(mailbox.messages[0], "/welcome/").rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(select(AccountLink)).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_a_new_invitation_replaces_the_old_link(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    invite(client, world)
    with app.app_context():
        nia = db.session.scalars(select(User).where(User.email == "nia@willow.example.org")).one()
    response = post_form(client, f"/people/{nia.id}/invite", {}, page_url=f"/people/{nia.id}")
    assert response.status_code == 302
    deliver(app)
    first, second = (mailbox.link_in(m, "/welcome/") for m in mailbox.messages)
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200


def test_invitations_follow_the_people_rules(app, world):
    client = signed_in_client(app, world.manager)
    taken = invite(client, world, email="carer@willow.example.org")
    assert "Someone already uses that email address." in taken.get_data(as_text=True)
    elsewhere = invite(client, world, service_id=str(world.riverside.id))
    assert "Not a valid choice" in elsewhere.get_data(as_text=True)


def test_staff_cannot_invite_and_managers_cannot_reinvite_elsewhere(app, world):
    client = signed_in_client(app, world.supervisor)
    assert client.get("/people/invite").status_code == 403
    post_form(client, "/logout", {})
    client = signed_in_client(app, world.manager)
    response = post_form(client, f"/people/{world.riverside_staff.id}/invite", {})
    assert response.status_code == 404


def test_the_new_starter_can_be_found_on_the_people_page_awaiting_a_password(app, world):
    client = signed_in_client(app, world.manager)
    response = invite(client, world)
    person_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has not chosen a password yet" in person_page
    assert "Send a new invitation" in person_page


def _reset_page(client, email: str):
    return post_form(client, "/reset", {"email": email}, page_url="/reset")


def test_reset_never_reveals_whether_an_email_has_an_account(app, world, mailbox):
    client = app.test_client()
    known = _reset_page(client, "carer@willow.example.org")
    unknown = _reset_page(client, "nobody@willow.example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert "If that address belongs to a LearnLoop account" in known.get_data(as_text=True)
    deliver(app)
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["carer@willow.example.org"]


def test_reset_link_sets_a_new_password_and_signs_out_other_devices(app, world, mailbox):
    client = app.test_client()
    other_device = app.test_client()
    sign_in(other_device, "carer@willow.example.org")
    assert other_device.get("/").status_code == 200
    _reset_page(client, "carer@willow.example.org")
    deliver(app)
    (message,) = mailbox.to("carer@willow.example.org")
    link = mailbox.link_in(message, "/reset/")
    landed = choose_password(client, link, "my new password please")
    assert landed.status_code == 302
    assert client.get("/").status_code == 200  # signed in here
    assert other_device.get("/").status_code == 302  # signed out there
    fresh = app.test_client()
    assert sign_in(fresh, "carer@willow.example.org", "my new password please").status_code == 302
    assert app.test_client().get(link).status_code == 410  # used


def test_reset_link_expires(app, world, mailbox):
    client = app.test_client()
    _reset_page(client, "carer@willow.example.org")
    deliver(app)
    link = mailbox.link_in(mailbox.messages[0], "/reset/")
    with app.app_context():
        stored = db.session.scalars(select(AccountLink)).one()
        assert stored.expires_at - stored.created_at == timedelta(hours=2)
        stored.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(link).status_code == 410


def test_deactivated_people_get_no_reset_email(app, world):
    client = signed_in_client(app, world.manager)
    post_form(client, f"/people/{world.staff.id}/deactivate", {})
    _reset_page(app.test_client(), "carer@willow.example.org")
    with app.app_context():
        assert db.session.scalars(select(OutboundEmail)).all() == []


def test_passwords_must_match_and_be_long_enough(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    invite(client, world)
    deliver(app)
    link = mailbox.link_in(mailbox.messages[0], "/welcome/")
    newcomer = app.test_client()
    short = choose_password(newcomer, link, "short")
    assert "Use at least 8 characters." in short.get_data(as_text=True)
    mismatch = choose_password(newcomer, link, "a long password", confirm="another one")
    assert "The two passwords are different" in mismatch.get_data(as_text=True)
    assert newcomer.get(link).status_code == 200  # not used up by mistakes


def test_reset_requests_are_limited_per_address(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_REQUESTS_PER_ADDRESS", "2 per 15 minutes")
    client = app.test_client()
    codes = [_reset_page(client, f"someone{n}@example.org").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_setting_a_password_cancels_every_other_open_link(app, world, mailbox):
    client = signed_in_client(app, world.manager)
    invite(client, world)
    _reset_page(app.test_client(), "nia@willow.example.org")
    deliver(app)
    invitation = mailbox.link_in(mailbox.to("nia@willow.example.org")[0], "/welcome/")
    reset_link = mailbox.link_in(mailbox.to("nia@willow.example.org")[1], "/reset/")
    assert choose_password(app.test_client(), reset_link).status_code == 302
    assert app.test_client().get(invitation).status_code == 410
