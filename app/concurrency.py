"""No lost updates: a save made from an out-of-date form is refused, never applied blind.

Records that several people edit (report reviews, restrictive practice records, safeguarding
concerns, debriefs, supervision records, meeting minutes) carry a `version` that SQLAlchemy
raises on every save (`version_id_col`). Their edit forms carry the version they were opened
on, in a hidden field (`version_field(record)` from _macros.html). Before saving, the view calls
`refuse_stale_edit(record, form)`: if someone saved since, `EditConflict` answers 409 with a
page showing, field by field, what is saved now and what this person typed, and who saved
last; nothing is overwritten and nothing typed is lost. Two saves at the very same moment
both pass that check, but the database lets only one UPDATE of that version through; the
other raises `StaleDataError`, answered with the same page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, render_template, request
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db

VERSION_FIELD = "record_version"
# Never shown back or resent: the token is fresh on the conflict page; the version is new.
_NOT_ANSWERS = {"csrf_token", VERSION_FIELD}


class EditConflict(Exception):
    """The form was opened on an older version of `record` than the one saved now."""

    def __init__(self, record=None, form=None, saved_as: dict[str, str] | None = None):
        super().__init__("The record changed since the form was opened.")
        self.record = record
        self.form = form
        self.saved_as = saved_as or {}


def refuse_stale_edit(record, form=None, saved_as: dict[str, str] | None = None) -> None:
    """Raise EditConflict when the submitted form shows an older version of `record`.

    A request without the field (not from our pages) is not checked here; the database still
    refuses a save that races another one. `saved_as` names the record's attribute for a
    form field called differently ({"comment": "supervisee_comment"}).
    """
    sent = request.form.get(VERSION_FIELD)
    if sent is None:
        return
    try:
        opened_on = int(sent)
    except ValueError:
        raise EditConflict(record, form, saved_as) from None
    if opened_on != record.version:
        raise EditConflict(record, form, saved_as)


@dataclass
class Answer:
    label: str
    saved: str | None  # None: the record has no field of that name to compare with
    typed: str

    @property
    def changed(self) -> bool:
        return self.saved is not None and self.saved != self.typed


def _shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "y" if value else ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:16]
    if isinstance(value, list | tuple | set):
        return ", ".join(_shown(item) for item in value)
    return str(value)


def _label(form, name: str) -> str:
    if form is not None and name in form:
        return form[name].label.text
    return name.replace("_", " ").capitalize()


def _answers(record, form, saved_as: dict[str, str]) -> list[Answer]:
    """Each field sent: its label, what the record holds now, and what this person typed."""
    answers = []
    for name in dict.fromkeys(request.form.keys()):
        if name in _NOT_ANSWERS:
            continue
        typed = ", ".join(value for value in request.form.getlist(name) if value)
        attribute = saved_as.get(name, name)
        saved = None
        if record is not None and hasattr(record, attribute):
            saved = _shown(getattr(record, attribute))
        answers.append(Answer(_label(form, name), saved, typed.strip()))
    return answers


def _last_saved_by(record) -> tuple[str | None, datetime | None]:
    """Who saved the record last, and when, from the audit trail."""
    from app.models import AuditEntry, User

    if record is None:
        return None, None
    row = db.session.execute(
        select(User.name, AuditEntry.created_at)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(
            AuditEntry.record_type == type(record).__name__,
            AuditEntry.record_id == record.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _conflict_page(record, form, saved_as: dict[str, str] | None = None):
    db.session.rollback()
    if record is not None:
        db.session.refresh(record)
    who, when = _last_saved_by(record)
    resend = [
        (name, value) for name, value in request.form.items(multi=True) if name not in _NOT_ANSWERS
    ]
    return (
        render_template(
            "errors/conflict.html",
            answers=_answers(record, form, saved_as or {}),
            who=who,
            when=when,
            record=record,
            resend=resend,
            action=request.path,
            reopen=_reopen_url(),
            version=record.version if record is not None else None,
        ),
        409,
    )


def _reopen_url() -> str:
    """The page the form was on (our own origin only), else the URL it posted to."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return "/" + referrer.removeprefix(request.host_url)
    return request.path


def _edit_conflict(error: EditConflict):
    return _conflict_page(error.record, error.form, error.saved_as)


def _saved_at_the_same_moment(_error: StaleDataError):
    return _conflict_page(None, None)


def init_concurrency(app: Flask) -> None:
    app.register_error_handler(EditConflict, _edit_conflict)
    app.register_error_handler(StaleDataError, _saved_at_the_same_moment)
