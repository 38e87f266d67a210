"""Demo notifications: a welcome for everyone, so the header count and list show something."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, User
from app.notifications.services import notify
from app.seed.people import DEMO_PEOPLE

WELCOME = "Welcome to LearnLoop. Notifications about your reports and your service appear here."


def seed_notifications() -> None:
    """Give each demo person a welcome notification, once."""
    emails = [email for email, *_ in DEMO_PEOPLE]
    for user in db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id)):
        has_any = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user.id)
        )
        if not has_any:
            notify(user, WELCOME, kind="welcome", link="/")
    db.session.commit()
