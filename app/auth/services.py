"""The rules for adding people and changing their access, shared by the views and the CLI."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.audit import log_event
from app.auth import passwords
from app.auth.policy import assignable_roles, can_see_service
from app.auth.sessions import end_all_sessions, end_other_sessions
from app.extensions import db
from app.models import Role, User
from app.validation import Invalid


class PersonError(Invalid):
    """A rule was broken; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def email_taken(email: str) -> bool:
    return (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == email.strip().lower())
        )
        > 0
    )


def check_new_person(actor: User | None, *, email: str, role: Role, service_id: int) -> None:
    """Raise PersonError unless `actor` may add someone with this email, role and service.

    Shared by adding, inviting and importing people. `actor` None means the command line.
    """
    if actor is not None:
        if role not in assignable_roles(actor):
            raise PersonError("role", "You cannot give that role.")
        if not can_see_service(actor, service_id):
            raise PersonError("service_id", "Choose one of your services.")
    if email_taken(email):
        raise PersonError("email", "Someone already uses that email address.")


def add_person(
    actor: User | None,
    *,
    name: str,
    email: str,
    role: Role,
    service_id: int,
    password: str,
    started_on: date | None = None,
) -> User:
    """Create an account. `actor` None means the command line, which may do anything."""
    check_new_person(actor, email=email, role=role, service_id=service_id)
    person = User(
        name=name.strip(), email=email, role=role, service_id=service_id, started_on=started_on
    )
    try:
        passwords.set_password(person, password)
    except passwords.PasswordError as error:
        raise PersonError("password", str(error)) from error
    db.session.add(person)
    db.session.flush()
    log_event("person.added", person, actor=actor, summary={"role": role.value})
    db.session.commit()
    return person


def change_role(actor: User, person: User, role: Role) -> None:
    if person.id == actor.id:
        raise PersonError("role", "You cannot change your own role. Ask another manager.")
    if role not in assignable_roles(actor):
        raise PersonError("role", "You cannot give that role.")
    log_event("person.role_changed", person, summary={"from": person.role.value, "to": role.value})
    person.role = role
    db.session.commit()


def deactivate(actor: User, person: User) -> None:
    """Stop someone signing in, and end every session they have open now."""
    if person.id == actor.id:
        raise PersonError("active", "You cannot deactivate your own account.")
    person.active = False
    log_event("person.deactivated", person)
    db.session.commit()
    end_all_sessions(person)


def reactivate(person: User) -> None:
    person.active = True
    log_event("person.reactivated", person)
    db.session.commit()


class PasswordChangeError(PersonError):
    pass


def change_own_password(user: User, *, current: str, new: str, again: str) -> None:
    """Change `user`'s own password and sign out their other devices."""
    if not user.check_password(current):
        raise PasswordChangeError("current_password", "That is not your current password.")
    if new != again:
        raise PasswordChangeError("confirm_password", "The two new passwords are different.")
    try:
        passwords.set_password(user, new)
    except passwords.PasswordError as error:
        raise PasswordChangeError("new_password", str(error)) from error
    log_event("auth.password_changed", user)
    db.session.commit()
    end_other_sessions(user)


def end_sessions_for(actor: User, person: User) -> int:
    """An admin signs someone out everywhere (a lost phone, a shared password)."""
    log_event("person.sessions_ended", person)
    db.session.commit()
    return end_all_sessions(person)
