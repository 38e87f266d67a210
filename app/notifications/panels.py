"""The home page tells managers when emails for their service could not be sent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.policy import can, in_scope
from app.extensions import db
from app.home.panels import home_panel
from app.models import MailStatus, OutboundEmail, User


@home_panel("notifications/_home_panel.html", order=90)
def failed_emails(user: User) -> dict | None:
    if not can(user, "mail.problems"):
        return None
    failed = db.session.scalar(
        select(func.count())
        .select_from(OutboundEmail)
        .where(in_scope(user, OutboundEmail.service_id), OutboundEmail.status == MailStatus.FAILED)
    )
    return {"failed": failed} if failed else None
