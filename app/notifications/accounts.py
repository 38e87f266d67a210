"""Invitations and password resets: single-use, expiring links that let someone set a password.

The token lives only in the email; the database keeps its SHA-256 hash. A link works once,
until it expires (INVITATION_HOURS, default 72; PASSWORD_RESET_HOURS, default 2), and issuing
a new link for the same purpose cancels the older ones. Asking for a reset answers the same
whether or not the address has an account, and takes no longer either way: the request writes
one `reset_request` row for any address, and the mail sender looks the person up, makes the
link and writes the email afterwards.

Password rules: the same as everywhere else (app/auth/passwords.py): long enough, and not
common or guessable. A refused password does not spend the link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, render_template
from sqlalchemy import delete, select, update

from app.audit import log_event
from app.auth import passwords
from app.auth.services import check_new_person
from app.auth.sessions import end_all_sessions
from app.extensions import db
from app.models import (
    AccountLink,
    EmailTopic,
    LinkPurpose,
    ResetRequest,
    Role,
    User,
    utcnow,
)
from app.models.people import hash_token
from app.notifications.mail import external_url, path_to, queue_email
from app.notifications.mail import sender as mail_sender

ENDPOINTS = {
    LinkPurpose.INVITATION: "people.accept_invitation",
    LinkPurpose.PASSWORD_RESET: "people.reset_with_link",
}


def _lifetime(purpose: LinkPurpose) -> timedelta:
    if purpose is LinkPurpose.INVITATION:
        return timedelta(hours=current_app.config["INVITATION_HOURS"])
    return timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])


def issue_link(user: User, purpose: LinkPurpose, actor: User | None = None) -> str:
    """Create a link for `user` (cancelling older ones of the same purpose); return the URL."""
    now = utcnow()
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountLink(
            user_id=user.id,
            service_id=user.service_id,
            purpose=purpose,
            token_hash=hash_token(token),
            created_by_id=actor.id if actor else None,
            created_at=now,
            expires_at=now + _lifetime(purpose),
        )
    )
    return external_url(path_to(ENDPOINTS[purpose], token=token))


def valid_link(token: str, purpose: LinkPurpose) -> AccountLink | None:
    """The unused, unexpired link for `token`, or None (whatever the reason: we never say)."""
    link = db.session.scalars(
        select(AccountLink).where(
            AccountLink.token_hash == hash_token(token), AccountLink.purpose == purpose
        )
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    if not link.user.active:
        return None
    return link


def use_link(link: AccountLink, password: str) -> User:
    """Set the password, spend the link, and end any other sign-ins (the caller signs them in).

    Raises passwords.PasswordError (before the link is spent) when the password breaks the
    rules, and ValueError when the link was used a moment ago."""
    user = link.user
    passwords.check(password, name=user.name or "", email=user.email or "")
    now = utcnow()
    spent = db.session.execute(
        update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if not spent:  # someone used it a moment ago
        raise ValueError("This link has already been used.")
    db.session.execute(  # any other open link for this person stops working too
        update(AccountLink)
        .where(AccountLink.user_id == link.user_id, AccountLink.used_at.is_(None))
        .values(expires_at=now)
    )
    passwords.set_password(user, password)
    log_event(f"person.{link.purpose.value}_used", user, actor=user)
    db.session.commit()
    end_all_sessions(user)
    return user


def _send_invitation(person: User, actor: User | None) -> None:
    url = issue_link(person, LinkPurpose.INVITATION, actor)
    body = render_template(
        "notifications/email/invitation.txt",
        person=person,
        inviter=actor,
        url=url,
        hours=current_app.config["INVITATION_HOURS"],
    )
    queue_email(
        person,
        f"You are invited to LearnLoop at {person.service.name}",
        body,
        topic=EmailTopic.ACCOUNT,
    )


@dataclass
class NewPerson:
    name: str
    email: str
    role: Role
    service_id: int
    started_on: date | None = None


def invite_people(actor: User | None, people: list[NewPerson]) -> list[User]:
    """Create accounts without passwords and email each an invitation, all in one transaction."""
    created = []
    for new in people:
        check_new_person(actor, email=new.email, role=new.role, service_id=new.service_id)
        person = User(
            name=new.name.strip(),
            email=new.email,
            role=new.role,
            service_id=new.service_id,
            started_on=new.started_on,
        )
        db.session.add(person)
        db.session.flush()
        log_event("person.invited", person, actor=actor, summary={"role": new.role.value})
        _send_invitation(person, actor)
        created.append(person)
    db.session.commit()
    return created


def resend_invitation(actor: User, person: User) -> None:
    """A fresh invitation for someone who has not set a password yet (older links stop working)."""
    if person.password_hash:
        raise ValueError(f"{person.name} has already set a password.")
    log_event("person.invited", person, summary={"again": True})
    _send_invitation(person, actor)
    db.session.commit()


def request_reset(email: str) -> None:
    """Note that someone asked for a reset for `email`; say nothing about the address.

    The same one row is written for every address, and nothing is looked up: the answer
    takes the same time whether or not there is an account (see ResetRequest). The mail
    sender does the rest (`send_requested_resets`), after the response.
    """
    db.session.add(ResetRequest(email=email.strip().lower()[:254]))
    mail_sender.mark_queued()  # starts the sender after the commit
    db.session.commit()


def send_requested_resets(limit: int = 100) -> int:
    """Turn waiting reset requests into reset emails for active accounts; drop the rest.

    Each request is claimed by deleting its row, so several senders never mail one twice.
    Returns how many emails were queued.
    """
    queued = 0
    waiting = db.session.scalars(select(ResetRequest).order_by(ResetRequest.id).limit(limit))
    for request_id, email in [(r.id, r.email) for r in waiting]:
        claimed = db.session.execute(
            delete(ResetRequest).where(ResetRequest.id == request_id)
        ).rowcount
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if claimed and user is not None and user.active:
            _queue_reset_email(user)
            queued += 1
        db.session.commit()
    return queued


def _queue_reset_email(user: User) -> None:
    url = issue_link(user, LinkPurpose.PASSWORD_RESET)
    body = render_template(
        "notifications/email/reset.txt",
        person=user,
        url=url,
        hours=current_app.config["PASSWORD_RESET_HOURS"],
    )
    queue_email(user, "Set a new LearnLoop password", body, topic=EmailTopic.ACCOUNT)
    log_event("person.reset_requested", user, actor=None)
