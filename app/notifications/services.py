"""In-app notifications, email choices, and telling the right people.

Who sees what: everyone sees only their own notifications and email choices. Managers see
failed emails for their service (admins: their organisation's services).
"""

from __future__ import annotations

from flask import g, has_app_context, render_template
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    EmailPreference,
    EmailTopic,
    Notification,
    Role,
    Service,
    User,
    utcnow,
)
from app.notifications import push
from app.notifications.mail import external_url, queue_email

# Topics each role must receive whatever they choose: the safety alerts for their service.
REQUIRED_TOPICS: dict[Role, frozenset[EmailTopic]] = {
    Role.STAFF: frozenset(),
    Role.SUPERVISOR: frozenset(),
    Role.MANAGER: frozenset({EmailTopic.SAFETY_ALERT}),
    Role.ADMIN: frozenset({EmailTopic.SAFETY_ALERT}),
}
# Who may choose a topic at all, and what they get before choosing.
TOPIC_ROLE: dict[EmailTopic, Role] = {
    EmailTopic.SAFETY_ALERT: Role.MANAGER,
    EmailTopic.WEEKLY_DIGEST: Role.MANAGER,
    EmailTopic.REPORT_FEEDBACK: Role.STAFF,
}
DEFAULT_WANTED: dict[EmailTopic, bool] = {
    EmailTopic.SAFETY_ALERT: True,
    EmailTopic.WEEKLY_DIGEST: True,
    EmailTopic.REPORT_FEEDBACK: False,  # the reporter hears in the app; email only if they choose
    EmailTopic.ACCOUNT: True,
}


# -- in-app notifications ---------------------------------------------------------------------


def notify(
    user: User, message: str, *, kind: str, link: str | None = None, urgent: bool = False
) -> Notification:
    """Add one notification to `user`'s list (the caller commits)."""
    _forget_header_count()
    note = Notification(
        user_id=user.id,
        service_id=user.service_id,
        kind=kind,
        message=message[:300],
        link=link,
        urgent=urgent,
        created_at=utcnow(),
    )
    db.session.add(note)
    push.for_notification(user, kind, link)  # to their phones too, if they chose it
    return note


def _forget_header_count() -> None:
    """The header's count, loaded with the sign-in session, is out of date once this runs."""
    if has_app_context():
        g.pop("unread_notifications", None)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_for(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one of `user`'s notifications read (or all of them); others' are never touched."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    changed = db.session.execute(query.values(read_at=utcnow())).rowcount
    _forget_header_count()
    db.session.commit()
    return changed


# -- email choices ----------------------------------------------------------------------------


def topics_for(user: User) -> list[EmailTopic]:
    """The topics `user` can see on their email settings page."""
    return [topic for topic, role in TOPIC_ROLE.items() if user.has_role(role)]


def is_required(user: User, topic: EmailTopic) -> bool:
    return topic is EmailTopic.ACCOUNT or topic in REQUIRED_TOPICS[user.role]


def wants_email(user: User, topic: EmailTopic) -> bool:
    """True when `user` gets emails about `topic`: required for their role, or chosen."""
    if is_required(user, topic):
        return True
    chosen = db.session.scalar(
        select(EmailPreference.wanted).where(
            EmailPreference.user_id == user.id, EmailPreference.topic == topic
        )
    )
    return DEFAULT_WANTED[topic] if chosen is None else chosen


def choices_for(user: User) -> dict[EmailTopic, bool]:
    return {topic: wants_email(user, topic) for topic in topics_for(user)}


def save_choices(user: User, wanted: set[EmailTopic]) -> None:
    """Store `user`'s choice for each topic they may choose; required topics stay on."""
    existing = {
        p.topic: p
        for p in db.session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == user.id)
        )
    }
    for topic in topics_for(user):
        if is_required(user, topic):
            continue
        preference = existing.get(topic) or EmailPreference(user_id=user.id, topic=topic)
        preference.wanted = topic in wanted
        db.session.add(preference)
    db.session.commit()


# -- telling people ---------------------------------------------------------------------------


def managers_of(service_id: int) -> list[User]:
    """The active managers of a service; when it has none, its organisation's admins."""
    managers = list(
        db.session.scalars(
            select(User).where(
                User.service_id == service_id, User.role == Role.MANAGER, User.active.is_(True)
            )
        )
    )
    if managers:
        return managers
    organisation_id = select(Service.organisation_id).where(Service.id == service_id)
    return list(
        db.session.scalars(
            select(User)
            .join(Service, User.service_id == Service.id)
            .where(
                Service.organisation_id == organisation_id.scalar_subquery(),
                User.role == Role.ADMIN,
                User.active.is_(True),
            )
        )
    )


def tell(
    user: User,
    *,
    kind: str,
    message: str,
    link: str,
    topic: EmailTopic,
    subject: str,
    email_template: str,
    urgent: bool = False,
    **context,
) -> None:
    """Notify `user` in the app and, if they get emails about `topic`, by email too.

    `link` is a path on this site; the email carries it as a full address. Email templates
    must hold no personal details of the person supported: only what kind of thing needs
    attention, where, and the link.
    """
    notify(user, message, kind=kind, link=link, urgent=urgent)
    if user.active and wants_email(user, topic):
        body = render_template(
            email_template, user=user, message=message, url=external_url(link), **context
        )
        queue_email(user, subject, body, topic=topic, service_id=user.service_id)
