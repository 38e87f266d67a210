"""The weekly digest for managers: `flask --app wsgi mail digest` (run it weekly, e.g. Monday 7am).

Each area adds its own lines with `@digest_section`, so the digest grows with the product:

    from app.notifications.digest import digest_section

    @digest_section(order=30)
    def observations_due(service, since, today):
        n = ...count...
        return [f"{n} observations are due this week."] if n else []

A section returns plain lines about the service (counts and what needs doing, never details of
the person supported). A digest with nothing in it is not sent. Each manager gets one digest
per service they run (admins: every service of their organisation) at most once every 6 days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Action,
    EmailTopic,
    OutboundEmail,
    Report,
    ReportStatus,
    Role,
    Service,
    User,
    utcnow,
)
from app.notifications.mail import external_url, path_to, queue_email
from app.notifications.services import wants_email
from app.registry import Registry

Section = Callable[[Service, datetime, date], list[str]]


DIGEST_SECTIONS = Registry("weekly digest sections")
RESEND_AFTER = timedelta(days=6)


def digest_section(order: int = 50) -> Callable[[Section], Section]:
    """Register `build(service, since, today) -> lines` as part of the weekly digest."""
    return DIGEST_SECTIONS.register(order)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@digest_section(order=10)
def new_reports(service: Service, since: datetime, _today: date) -> list[str]:
    counted = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.service_id == service.id, Report.created_at >= since)
    )
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.service_id == service.id, Report.status == ReportStatus.NEW)
    )
    if counted:
        lines = [f"{_plural(counted, 'new report', 'new reports')} this week: thank the reporters."]
    else:
        lines = ["No new reports this week. Remind the team that every near miss helps."]
    if waiting:
        lines.append(
            f"{_plural(waiting, 'report is', 'reports are')} still waiting to be looked at."
        )
    return lines


@digest_section(order=20)
def overdue_actions(service: Service, _since: datetime, today: date) -> list[str]:
    overdue = db.session.scalar(
        select(func.count())
        .select_from(Action)
        .where(
            Action.service_id == service.id,
            Action.done_at.is_(None),
            Action.due_on.is_not(None),
            Action.due_on < today,
        )
    )
    if not overdue:
        return []
    return [f"{_plural(overdue, 'action is', 'actions are')} past the date agreed."]


def build_digest(service: Service, today: date) -> list[str]:
    since = utcnow() - timedelta(days=7)
    lines: list[str] = []
    for section in DIGEST_SECTIONS:
        lines.extend(section.build(service, since, today))
    return lines


def _recently_sent(user: User) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutboundEmail)
            .where(
                OutboundEmail.recipient_id == user.id,
                OutboundEmail.topic == EmailTopic.WEEKLY_DIGEST,
                OutboundEmail.created_at >= utcnow() - RESEND_AFTER,
            )
        )
        > 0
    )


def _services_run_by(user: User) -> list[Service]:
    if user.role is Role.ADMIN:
        return list(
            db.session.scalars(
                select(Service)
                .where(Service.organisation_id == user.service.organisation_id)
                .order_by(Service.name)
            )
        )
    return [user.service]


def send_weekly_digests(today: date | None = None) -> int:
    """Queue a digest for each manager and admin who wants one; return how many were queued."""
    today = today or utcnow().date()
    managers = db.session.scalars(
        select(User).where(User.role.in_([Role.MANAGER, Role.ADMIN]), User.active.is_(True))
    ).all()
    queued = 0
    for manager in managers:
        if not wants_email(manager, EmailTopic.WEEKLY_DIGEST) or _recently_sent(manager):
            continue
        parts = [(s, build_digest(s, today)) for s in _services_run_by(manager)]
        parts = [(s, lines) for s, lines in parts if lines]
        if not parts:
            continue
        body = render_template(
            "notifications/email/digest.txt",
            user=manager,
            parts=parts,
            url=external_url(path_to("home.index")),
            settings_url=external_url(path_to("notifications.settings")),
        )
        queue_email(manager, "Your week in LearnLoop", body, topic=EmailTopic.WEEKLY_DIGEST)
        queued += 1
    db.session.commit()
    return queued
