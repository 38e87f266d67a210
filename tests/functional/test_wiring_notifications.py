"""The weekly digest lists observations and supervisions due and unread bulletins; setting a
password from an invitation or reset link follows the same rules as people admin (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.library.services import acknowledge
from app.models import Article, ArticleKind, Supervision, SupervisionPolicy, User
from tests.conftest import sign_in
from tests.functional.library_helpers import make_article
from tests.functional.test_invitations import choose_password, deliver, invite, signed_in_client
from tests.functional.test_observations import make_checklist


def _digest_for(app, mailbox, email="manager@willow.example.org") -> str:
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    (message,) = mailbox.to(email)
    return mailbox.body(message)


def test_digest_lists_observations_never_done_and_due(app, world, mailbox):
    with app.app_context():
        make_checklist(world.willow.id)
    body = _digest_for(app, mailbox)
    # The staff member and the supervisor have never been observed on the checklist.
    assert "2 checklists have never been observed." in body


def test_digest_lists_supervisions_overdue(app, world, mailbox):
    with app.app_context():
        db.session.add(SupervisionPolicy(service_id=world.willow.id, every_weeks=8))
        db.session.add(
            Supervision(
                service_id=world.willow.id,
                supervisor_id=world.manager.id,
                supervisee_id=world.staff.id,
                held_on=date.today() - timedelta(weeks=10),
                discussion={"incidents": "Talked it through"},
            )
        )
        db.session.commit()
    body = _digest_for(app, mailbox)
    assert "1 supervision is due soon (1 overdue)." in body
    assert "1 person has not had a supervision yet." in body  # the supervisor


def test_digest_lists_bulletins_the_team_has_not_read(app, world, mailbox):
    with app.app_context():
        read_by_all = make_article(world, title="Everyone read this", service=world.willow)
        unread = make_article(world, title="Check the MAR at handover", service=world.willow)
        db.session.execute(
            update(Article)
            .where(Article.id.in_([read_by_all.id, unread.id]))
            .values(kind=ArticleKind.BULLETIN)
        )
        db.session.commit()
        read_by_all, unread = (
            db.session.get(Article, read_by_all.id),
            db.session.get(Article, unread.id),
        )
        team = db.session.query(User).filter_by(service_id=world.willow.id, active=True).all()
        for person in team:
            acknowledge(person, read_by_all)
        acknowledge(team[0], unread)
        db.session.commit()
        size = len(team)
    body = _digest_for(app, mailbox)
    assert f"\u201cCheck the MAR at handover\u201d: {size - 1} of {size} staff" in body
    assert "Everyone read this" not in body


def test_digest_sections_are_registered_by_supervision_and_library(app):
    from app.notifications.digest import DIGEST_SECTIONS

    names = {section.build.__name__ for section in DIGEST_SECTIONS}
    assert {"observations_due", "supervisions_due", "unread_bulletins"} <= names


# -- password rules when setting a password from a link ----------------------------------


@pytest.mark.parametrize("weak", ["password123", "qwertyuiop", "Nia Newstart 1"])
def test_an_invitation_refuses_common_passwords_and_keeps_the_link(app, world, mailbox, weak):
    manager = signed_in_client(app, world.manager)
    invite(manager, world)
    deliver(app)
    link = mailbox.link_in(mailbox.messages[0], "/welcome/")
    newcomer = app.test_client()
    refused = choose_password(newcomer, link, weak)
    assert refused.status_code == 200
    assert "That password is too easy to guess." in refused.get_data(as_text=True)
    assert newcomer.get(link).status_code == 200  # the link still works
    accepted = choose_password(newcomer, link, "sunny morning walk")
    assert accepted.status_code == 302


def test_a_password_reset_refuses_common_passwords(app, world, mailbox):
    client = app.test_client()
    from tests.conftest import post_form

    post_form(client, "/reset", {"email": "carer@willow.example.org"}, page_url="/reset")
    deliver(app)
    link = mailbox.link_in(mailbox.to("carer@willow.example.org")[0], "/reset/")
    refused = choose_password(client, link, "password1")
    assert "That password is too easy to guess." in refused.get_data(as_text=True)
    assert sign_in(app.test_client(), "carer@willow.example.org", "password1").status_code != 302
    assert choose_password(client, link, "my new password please").status_code == 302


def test_the_password_pages_show_the_same_hint_as_people_admin(app, world, mailbox):
    from app.auth.passwords import HINT

    manager = signed_in_client(app, world.manager)
    invite(manager, world)
    deliver(app)
    link = mailbox.link_in(mailbox.messages[0], "/welcome/")
    page = app.test_client().get(link).get_data(as_text=True)
    assert HINT.split(";")[0] in page
