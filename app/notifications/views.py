"""Notification pages, email choices and mail problems.

Who sees what: everyone sees their own notifications and email choices; managers see failed
emails for their services; /dev/mail exists only in development, for provider admins.
Invitations and password reset links are app/people's.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from app.audit import log_event
from app.auth.policy import (
    get_or_404,
    in_scope,
    require,
)
from app.auth.redirects import safe_path
from app.extensions import db
from app.models import (
    EmailTopic,
    MailStatus,
    Notification,
    OutboundEmail,
    Role,
)
from app.notifications import bp
from app.notifications.forms import (
    ChoicesForm,
)
from app.notifications.mail import retry
from app.notifications.services import (
    choices_for,
    is_required,
    mark_read,
    notifications_for,
    save_choices,
    unread_count,
)


@bp.app_context_processor
def _header_count():
    """`unread_notifications()` for the header; it queries only when a template calls it."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user)
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


# -- in-app notifications ---------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def index():
    return render_template(
        "notifications/index.html",
        notifications=notifications_for(current_user),
        manager_role=Role.MANAGER,
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one read. htmx gets the card back and the header count, out of band."""
    note = _own_notification(notification_id)
    mark_read(current_user, note.id)
    if request.htmx:
        card = render_template("notifications/_notification.html", note=note)
        header = render_template("notifications/_header_link.html", oob=True)
        return card + header
    return redirect(url_for("notifications.index"))


def _own_notification(notification_id: int) -> Notification:
    """Notifications are personal: anyone else's is simply not found."""
    note = db.session.scalars(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    ).first()
    if note is None:
        abort(404)
    return note


@bp.post("/notifications/read")
@login_required
def read_all():
    mark_read(current_user)
    flash("All caught up.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Mark read and go to what it is about (only ever a path on this site)."""
    note = _own_notification(notification_id)
    mark_read(current_user, note.id)
    return redirect(safe_path(note.link) or url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = ChoicesForm()
    if form.validate_on_submit():
        known = {topic.value for topic in EmailTopic}
        wanted = {EmailTopic(v) for v in request.form.getlist("topic") if v in known}
        save_choices(current_user, wanted)
        flash("Your email choices are saved.", "success")
        return redirect(url_for("notifications.settings"))
    topics = choices_for(current_user)
    return render_template(
        "notifications/settings.html",
        form=form,
        topics=topics,
        required={t for t in topics if is_required(current_user, t)},
    )


# -- mail problems (managers) and the development mailbox -------------------------------------


@bp.get("/mail/problems")
@login_required
@require("mail.problems")
def mail_problems():
    problems = db.session.scalars(
        select(OutboundEmail)
        .where(
            in_scope(current_user, OutboundEmail.service_id),
            (OutboundEmail.status == MailStatus.FAILED)
            | (OutboundEmail.last_error.is_not(None))
            & (OutboundEmail.status == MailStatus.PENDING),
        )
        .order_by(OutboundEmail.created_at.desc())
        .limit(100)
    ).all()
    return render_template("notifications/mail_problems.html", problems=problems)


@bp.post("/mail/<int:message_id>/retry")
@login_required
def retry_mail(message_id: int):
    message = get_or_404(OutboundEmail, message_id, "mail.problems")
    retry(message)
    log_event("mail.retried", message)
    db.session.commit()
    flash(f"We will try sending to {message.to_address} again now.", "success")
    return redirect(url_for("notifications.mail_problems"))


@bp.get("/dev/mail")
def dev_mailbox():
    """Every email in the outbox, newest first: for development without a mail server.

    The outbox holds live reset and invitation links, so this page exists only in
    development and only for a signed-in provider admin; everywhere else, and to anyone
    else, it is simply not found (404, not a sign-in page that would say it is here).
    """
    if current_app.config["ENV_NAME"] != "development":
        abort(404)
    if not current_user.is_authenticated or current_user.role is not Role.ADMIN:
        abort(404)
    messages = db.session.scalars(
        select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(50)
    ).all()
    return render_template("notifications/dev_mail.html", messages=messages)
