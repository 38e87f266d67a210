"""People admin: managers look after their service's staff, admins their whole organisation.
Invitations and the CSV import are in invitations.py; passwords from emailed links in links.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.forms import choices, role_choices
from app.auth.policy import assignable_roles, can, get_or_404, in_scope, require, services_for
from app.auth.services import (
    PersonError,
    add_person,
    change_role,
    deactivate,
    end_sessions_for,
    reactivate,
)
from app.extensions import db
from app.models import Role, User
from app.people import bp
from app.people.forms import PersonForm, RoleForm


def _role_choices():
    return role_choices(assignable_roles(current_user))


@bp.get("/people")
@login_required
@require("people.view")
def index():
    people = db.session.scalars(
        select(User)
        .where(in_scope(current_user, User.service_id))
        .order_by(User.active.desc(), User.name)
    ).all()
    return render_template("people/index.html", people=people)


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
@require("people.manage")
def new():
    form = PersonForm()
    form.role.choices = _role_choices()
    form.service_id.choices = choices((s.id, s.name) for s in services_for(current_user))
    if request.method == "GET":
        form.service_id.data = current_user.service_id
        form.role.data = Role.STAFF.value
    if form.validate_on_submit():
        try:
            person = add_person(
                current_user,
                name=form.name.data,
                email=form.email.data,
                role=Role(form.role.data),
                service_id=form.service_id.data,
                started_on=form.started_on.data,
                password=form.password.data,
            )
        except PersonError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash(f"{person.name} can now sign in.", "success")
            return redirect(url_for("people.index"))
    return render_template("people/new.html", form=form)


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@login_required
def person(person_id: int):
    person = get_or_404(User, person_id, "people.view")
    form = RoleForm(role=person.role.value)
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        _require_manage(person)
        try:
            change_role(current_user, person, Role(form.role.data))
        except PersonError as error:
            flash(str(error), "error")
        else:
            flash(f"{person.name} is now: {person.role.label}.", "success")
        return redirect(url_for("people.person", person_id=person.id))
    return render_template(
        "people/person.html",
        person=person,
        form=form,
        assignable_roles=assignable_roles(current_user),
        can_end_sessions=can(current_user, "people.end_sessions"),
    )


@bp.post("/people/<int:person_id>/deactivate")
@login_required
def deactivate_person(person_id: int):
    person = get_or_404(User, person_id, "people.manage")
    _require_manage(person)
    try:
        deactivate(current_user, person)
    except PersonError as error:
        flash(str(error), "error")
    else:
        flash(f"{person.name} can no longer sign in, and has been signed out.", "success")
    return redirect(url_for("people.person", person_id=person.id))


@bp.post("/people/<int:person_id>/reactivate")
@login_required
def reactivate_person(person_id: int):
    person = get_or_404(User, person_id, "people.manage")
    _require_manage(person)
    reactivate(person)
    flash(f"{person.name} can sign in again.", "success")
    return redirect(url_for("people.person", person_id=person.id))


def _require_manage(person: User) -> None:
    """A manager may not change an admin's account."""
    if person.role not in assignable_roles(current_user):
        abort(403)


@bp.post("/people/<int:person_id>/end-sessions")
@login_required
def end_sessions(person_id: int):
    """Admins only: sign someone out on every device (say, after a lost phone)."""
    person = get_or_404(User, person_id, "people.end_sessions")
    ended = end_sessions_for(current_user, person)
    flash(
        f"{person.name} is signed out on every device ({ended} open)."
        if ended
        else f"{person.name} was not signed in anywhere.",
        "success",
    )
    return redirect(url_for("people.person", person_id=person.id))
