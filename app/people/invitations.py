"""Inviting people by email, one at a time or many from a CSV file. Nothing from a file is
saved until every row is right (csv_import.py); each person gets an email with a single-use link
to choose their own password (app/notifications/accounts.py makes and sends the links)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.forms import choices, role_choices
from app.auth.policy import (
    assignable_roles,
    can_see_service,
    get_or_404,
    require,
    services_for,
)
from app.auth.services import PersonError
from app.extensions import db
from app.models import Role, User
from app.notifications.accounts import NewPerson, invite_people, resend_invitation
from app.people import bp
from app.people.csv_import import import_people, read_csv
from app.people.forms import ConfirmImportForm, ImportForm, InviteForm


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
            return redirect(url_for("people.person", person_id=person.id))
    return render_template("people/invite.html", form=form)


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
    return redirect(url_for("people.person", person_id=person.id))


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
            return render_template("people/import_preview.html", preview=preview, confirm=confirm)
    return render_template("people/import.html", form=form)


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
        return render_template("people/import_preview.html", preview=preview, confirm=form)
    flash(f"Added {len(people)} people. Each has an email inviting them to join.", "success")
    return redirect(url_for("people.index"))
