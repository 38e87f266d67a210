"""Notification pages, invitations, password reset, bulk import and mail problems.

Who sees what: everyone sees their own notifications and email choices; managers invite and
import people into their service (admins: their organisation's services) and see failed
emails for their services; /dev/mail exists only in development, for provider admins.
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
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from app.audit import log_event
from app.auth import twofactor
from app.auth.forms import choices, role_choices
from app.auth.passwords import PasswordError
from app.auth.policy import (
    assignable_roles,
    can_see_service,
    get_or_404,
    in_scope,
    require,
    services_for,
)
from app.auth.redirects import safe_path
from app.auth.services import PersonError
from app.auth.sessions import start_session
from app.auth.views import ask_for_second_step
from app.extensions import db, limiter
from app.models import (
    EmailTopic,
    LinkPurpose,
    MailStatus,
    Notification,
    OutboundEmail,
    Role,
    User,
)
from app.notifications import bp
from app.notifications.accounts import (
    NewPerson,
    invite_people,
    request_reset,
    resend_invitation,
    use_link,
    valid_link,
)
from app.notifications.forms import (
    ChoicesForm,
    ConfirmImportForm,
    ImportForm,
    InviteForm,
    ResetRequestForm,
    SetPasswordForm,
)
from app.notifications.mail import retry
from app.notifications.people_import import import_people, read_csv
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


# -- invitations and bulk import --------------------------------------------------------------


def _service_choices():
    return choices((s.id, s.name) for s in services_for(current_user))


@bp.route("/people/invite", methods=["GET", "POST"])
@login_required
@require("people.manage")
def invite():
    form = InviteForm()
    form.role.choices = role_choices(assignable_roles(current_user))
    form.service_id.choices = _service_choices()
    if request.method == "GET":
        form.service_id.data = current_user.service_id
        form.role.data = Role.STAFF.value
    if form.validate_on_submit():
        new = NewPerson(
            form.name.data,
            form.email.data,
            Role(form.role.data),
            form.service_id.data,
            form.started_on.data,
        )
        try:
            (person,) = invite_people(current_user, [new])
        except PersonError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            flash(f"We have emailed {person.name} an invitation to join.", "success")
            return redirect(url_for("auth.person", person_id=person.id))
    return render_template("notifications/invite.html", form=form)


@bp.post("/people/<int:person_id>/invite")
@login_required
def reinvite(person_id: int):
    person = get_or_404(User, person_id, "people.manage")
    if person.role not in assignable_roles(current_user):
        abort(403)
    try:
        resend_invitation(current_user, person)
    except ValueError as error:
        flash(str(error), "error")
    else:
        flash(
            f"We have sent {person.name} a new invitation. Older links no longer work.", "success"
        )
    return redirect(url_for("auth.person", person_id=person.id))


@bp.route("/people/import", methods=["GET", "POST"])
@login_required
@require("people.manage")
def import_upload():
    form = ImportForm()
    form.service_id.choices = _service_choices()
    if request.method == "GET":
        form.service_id.data = current_user.service_id
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append("Save the file as CSV UTF-8 and try again.")
        else:
            preview = read_csv(content, current_user, form.service_id.data)
            confirm = ConfirmImportForm(
                formdata=None, content=content, service_id=form.service_id.data
            )
            return render_template(
                "notifications/import_preview.html", preview=preview, confirm=confirm
            )
    return render_template("notifications/import.html", form=form)


@bp.post("/people/import/confirm")
@login_required
@require("people.manage")
def import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service_id = int(form.service_id.data)
    except (TypeError, ValueError):
        abort(400)
    if not can_see_service(current_user, service_id):
        abort(404)
    preview, people = import_people(form.content.data or "", current_user, service_id)
    if not people:
        return render_template("notifications/import_preview.html", preview=preview, confirm=form)
    flash(f"Added {len(people)} people. Each has an email inviting them to join.", "success")
    return redirect(url_for("auth.people"))


# -- setting a password from a link -----------------------------------------------------------


def _sign_in(user: User) -> None:
    session.clear()
    start_session(user)
    login_user(user)
    log_event("auth.signed_in", user, actor=user, summary={"via": "link"})
    db.session.commit()


def _landing_page() -> str:
    if "induction.index" in current_app.view_functions:
        return url_for("induction.index")
    return url_for("home.index")


def _after_password_set(user: User, purpose: LinkPurpose):
    """Where a link leads once the password is set. A link from an email is one factor: it
    never signs in past two-step sign-in. A reset for someone with it on asks for the code
    next; an invitation to a role offered two-step sign-in (managers and admins, who see a
    whole service) leads straight into setting it up."""
    if user.two_step_on:
        second_step = ask_for_second_step(user)  # starts a fresh session: flash after it
        flash("Your new password is saved. Now enter the code from your app.", "success")
        return second_step
    _sign_in(user)
    if purpose is LinkPurpose.INVITATION:
        if twofactor.offered_to(user):
            flash(
                f"Welcome to LearnLoop, {user.name}. Your role sees a whole service's records, "
                "so protect it now: set up two-step sign-in with an authenticator app.",
                "success",
            )
            return redirect(url_for("auth.two_step_setup"))
        flash(f"Welcome to LearnLoop, {user.name}. You are signed in.", "success")
        return redirect(_landing_page())
    flash("Your new password is saved and you are signed in.", "success")
    return redirect(url_for("home.index"))


def _set_password_page(token: str, purpose: LinkPurpose, template: str):
    link = valid_link(token, purpose)
    if link is None:
        return render_template("notifications/link_expired.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = use_link(link, form.password.data)
        except PasswordError as error:
            form.password.errors.append(str(error))
            return render_template(template, form=form, person=link.user)
        except ValueError:
            return render_template("notifications/link_expired.html", purpose=purpose), 410
        return _after_password_set(user, purpose)
    return render_template(template, form=form, person=link.user)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(token, LinkPurpose.INVITATION, "notifications/welcome.html")


def _reset_limit() -> str:
    return current_app.config["RESET_REQUESTS_PER_ADDRESS"]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"], scope="reset-address")
def reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        return render_template("notifications/reset_sent.html")
    return render_template("notifications/reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    return _set_password_page(token, LinkPurpose.PASSWORD_RESET, "notifications/reset_choose.html")


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
