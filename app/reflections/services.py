"""Saving and reading reflections. `save_reflection` is the one function both the web form and
the offline sync call.

Who reads what: a reflection is private to its author. Once the author shares it, the
supervisors, managers and admins who can see the author's service may read it, and it becomes a
prompt in the author's next supervision. Nobody else, ever, including admins.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from marshmallow import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.audit import log_event
from app.auth.policy import can, can_see_service, in_scope
from app.debriefs.services import raise_workaround
from app.extensions import db
from app.models import (
    Debrief,
    DebriefAttendee,
    Reflection,
    ReflectionTemplate,
    Report,
    User,
    utcnow,
)
from app.reflections.schemas import ReflectionBody
from app.schemas import flat_errors
from app.sync import payload_hash, save_once
from app.validation import Invalid

LINKS_TO_OFFER = 20


class ReflectionError(Invalid):
    """The reflection cannot be saved as it is; `errors` says where to show why."""


class SavedReflection(NamedTuple):
    reflection: Reflection
    created: bool


def _check_links(author: User, report_id: int | None, debrief_id: int | None) -> None:
    if report_id is not None and debrief_id is not None:
        raise ReflectionError("Link to a report or a debrief, not both.", field="link")
    if report_id is not None:
        own = db.session.scalar(
            select(Report.id).where(
                Report.id == report_id,
                Report.reporter_id == author.id,
                Report.service_id == author.service_id,
            )
        )
        if own is None:
            raise ReflectionError("You can link only to your own reports.", field="link")
    if debrief_id is not None and debrief_id not in attended_debrief_ids(author):
        raise ReflectionError("You can link only to a debrief you took part in.", field="link")


def attended_debrief_ids(author: User) -> set[int]:
    return set(
        db.session.scalars(
            select(DebriefAttendee.debrief_id).where(DebriefAttendee.user_id == author.id)
        )
    )


def _check_client_id(client_id: str | None) -> str | None:
    if client_id is None:
        return None
    try:
        return str(uuid.UUID(str(client_id)))
    except ValueError:
        raise ReflectionError("The draft id is not a valid UUID.", field="client_id") from None


def save_reflection(
    author: User,
    answers: Mapping[str, str],
    *,
    template: ReflectionTemplate | str = ReflectionTemplate.HELPED_HINDERED,
    link: str | None = None,
    report_id: int | None = None,
    debrief_id: int | None = None,
    shared: bool = False,
    workaround: str | None = None,
    client_id: str | None = None,
    device_time: datetime | None = None,
    channel: str = "web",
) -> SavedReflection:
    """Validate and save one reflection by `author`; raise ReflectionError when it cannot be.

    The body is checked by `ReflectionBody` (app/reflections/schemas.py), the same schema the
    API's request is checked by. The link is the form's `link` ("report:<id>" or
    "debrief:<id>") or `report_id` / `debrief_id`. With a `client_id` (from the offline
    outbox) saving is idempotent: the same id and body return the stored reflection with
    created=False; the same id with another body raises ClientIdConflict. `workaround` puts an
    unsafe workaround on the managers' list without the author's name or the reflection's words.
    """
    if report_id is not None and debrief_id is not None:
        raise ReflectionError("Link to a report or a debrief, not both.", field="link")
    if link is None and (report_id is not None or debrief_id is not None):
        link = f"report:{report_id}" if report_id is not None else f"debrief:{debrief_id}"
    body = _checked_body(
        {
            "template": template.value if isinstance(template, ReflectionTemplate) else template,
            "answers": dict(answers or {}),
            "link": link or "",
            "shared": bool(shared),
            "workaround": workaround,
        }
    )
    if device_time is not None and device_time.tzinfo is None:
        raise ReflectionError("The device time needs a time zone.", field="device_time")
    client_id = _check_client_id(client_id)
    digest = payload_hash(body)

    def save() -> Reflection:
        return _save_new(author, body, client_id, digest, device_time, channel)

    reflection, created = save_once(
        client_id,
        digest,
        find=_stored,
        same_writer=lambda stored: stored.author_id == author.id,
        save=save,
    )
    return SavedReflection(reflection, created=created)


def _checked_body(raw: dict) -> dict:
    """The body as `ReflectionBody` loads it, or ReflectionError with what to fix."""
    try:
        return ReflectionBody().load(raw)
    except ValidationError as error:
        raise ReflectionError(flat_errors(error.messages)) from None


def _stored(client_id: str) -> Reflection | None:
    return db.session.scalars(select(Reflection).where(Reflection.client_id == client_id)).first()


def _save_new(
    author: User,
    body: dict,
    client_id: str | None,
    digest: str,
    device_time: datetime | None,
    channel: str,
) -> Reflection:
    """Check the links, save a new reflection (and its workaround flag), and commit."""
    template = ReflectionTemplate(body["template"])
    cleaned, report_id, debrief_id = body["answers"], body["report_id"], body["debrief_id"]
    shared, workaround = body["shared"], body["workaround"]
    _check_links(author, report_id, debrief_id)
    now = utcnow()
    reflection = Reflection(
        service_id=author.service_id,
        author_id=author.id,
        template=template,
        answers=cleaned,
        report_id=report_id,
        debrief_id=debrief_id,
        shared_with_supervisor=bool(shared),
        shared_at=now if shared else None,
        created_at=now,
        channel=channel,
        device_time=device_time,
        client_id=client_id,
        payload_hash=digest,
    )
    db.session.add(reflection)
    db.session.flush()  # a racing resend with this client_id fails here (see app/sync.py)
    log_event(
        "reflection.created",
        reflection,
        summary={"template": template.value, "shared": reflection.shared_with_supervisor},
        actor=author,
        channel=channel,
    )
    if workaround:
        raise_workaround(author.service_id, workaround, reflection_id=reflection.id)
    db.session.commit()
    return reflection


def can_read(user: User, reflection: Reflection) -> bool:
    """The author always; supervisors and above of the author's service once it is shared."""
    if user.id == reflection.author_id:
        return True
    return (
        reflection.shared_with_supervisor
        and can(user, "reflections.read_shared")
        and can_see_service(user, reflection.service_id)
    )


def set_sharing(author: User, reflection: Reflection, shared: bool) -> Reflection:
    """Only the author may share or stop sharing their reflection."""
    if author.id != reflection.author_id:
        raise ReflectionError("Only the person who wrote it can change this.", field="shared")
    if reflection.shared_with_supervisor != shared:
        reflection.shared_with_supervisor = shared
        reflection.shared_at = utcnow() if shared else None
        log_event("reflection.shared" if shared else "reflection.unshared", reflection)
        db.session.commit()
    return reflection


def reflections_by(author: User, limit: int = 100) -> list[Reflection]:
    return list(
        db.session.scalars(
            select(Reflection)
            .where(Reflection.author_id == author.id)
            .order_by(Reflection.created_at.desc(), Reflection.id.desc())
            .limit(limit)
        )
    )


def shared_reflections_for(supervisee_id: int, since: datetime | None = None) -> list[Reflection]:
    """Reflections the person shared with their supervisor, newest first: prompts for their next
    supervision. Pass `since` (their last supervision) to get only the new ones. The caller
    checks that the supervisor may see the supervisee's service."""
    query = select(Reflection).where(
        Reflection.author_id == supervisee_id, Reflection.shared_with_supervisor.is_(True)
    )
    if since is not None:
        query = query.where(Reflection.shared_at >= since)
    return list(db.session.scalars(query.order_by(Reflection.shared_at.desc(), Reflection.id)))


def link_choices(author: User) -> list[tuple[str, str]]:
    """("report:12", label) and ("debrief:3", label) for the author's reports and debriefs."""
    reports = db.session.scalars(
        select(Report)
        .where(Report.reporter_id == author.id, Report.service_id == author.service_id)
        .order_by(Report.created_at.desc())
        .limit(LINKS_TO_OFFER)
    ).all()
    debriefs = db.session.scalars(
        select(Debrief)
        .join(DebriefAttendee, DebriefAttendee.debrief_id == Debrief.id)
        .where(DebriefAttendee.user_id == author.id)
        .order_by(Debrief.held_on.desc())
        .limit(LINKS_TO_OFFER)
    ).all()
    return [
        *(
            (f"report:{r.id}", f"My report: {r.category.label}, {r.occurred_on:%d %b}")
            for r in reports
        ),
        *(
            (f"debrief:{d.id}", f"Debrief: {d.format.short_label}, {d.held_on:%d %b}")
            for d in debriefs
        ),
    ]


def _shared_with(user: User):
    return select(Reflection).where(
        in_scope(user, Reflection.service_id),
        Reflection.shared_with_supervisor.is_(True),
        Reflection.author_id != user.id,
    )


def shared_with(user: User, limit: int = 100) -> list[Reflection]:
    """Reflections shared for supervision in the services a supervisor (or above) can see."""
    if not can(user, "reflections.read_shared"):
        return []
    return list(
        db.session.scalars(
            _shared_with(user)
            .options(selectinload(Reflection.author))
            .order_by(Reflection.shared_at.desc(), Reflection.id.desc())
            .limit(limit)
        )
    )


def home_counts(author: User, days: int = 30) -> dict[str, int]:
    """In one query: the author's reflections in the last `days`, how many of those are private,
    and (supervisors and above) how many reflections others shared in that time."""
    since = utcnow() - timedelta(days=days)
    columns = [
        func.count(Reflection.id),
        func.coalesce(
            func.sum(case((Reflection.shared_with_supervisor.is_(False), 1), else_=0)), 0
        ),
    ]
    if can(author, "reflections.read_shared"):
        shared = _shared_with(author).where(Reflection.shared_at >= since).subquery()
        columns.append(select(func.count()).select_from(shared).scalar_subquery())
    row = db.session.execute(
        select(*columns).where(Reflection.author_id == author.id, Reflection.created_at >= since)
    ).one()
    return {"recent": row[0], "private": row[1], "shared_with_me": row[2] if len(row) > 2 else 0}
