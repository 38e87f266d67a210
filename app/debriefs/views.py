"""Debrief pages. Supervisors, managers and admins open and run debriefs for the services they
can see; managers and admins look after the unsafe-workaround list. Anyone who took part in a
debrief may read it (not change it) and finds it under "Debriefs you took part in". Nobody
sees another service's debriefs, nor one they could only reach by attending but did not (404)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.forms import choices
from app.auth.policy import can, can_see_service, get_or_404, in_scope, require, services_for
from app.concurrency import refuse_stale_edit
from app.debriefs import bp
from app.debriefs.forms import ActionForm, CloseForm, ContributionForm, DebriefForm, WorkaroundForm
from app.debriefs.services import (
    DebriefError,
    add_action,
    add_contribution,
    close_debrief,
    create_debrief,
    debriefs_attended,
    may_remove,
    move_workaround,
    people_who_may_attend,
    remove_contribution,
    reports_to_offer,
    update_debrief,
)
from app.extensions import db
from app.inputs import database_id
from app.models import (
    Action,
    Debrief,
    DebriefAttendee,
    DebriefFormat,
    Report,
    WorkaroundFlag,
    WorkaroundStatus,
)
from app.models.debriefs import LEADER_ROLES
from app.reports.just_culture import SENSITIVE_WARNING, is_safeguarding_or_police_matter

# Templates show "Remove" only beside the points this person may take back.
bp.add_app_template_global(may_remove, "may_remove_point")


@bp.get("/debriefs")
@login_required
@require("debriefs.view")
def index():
    debriefs = db.session.scalars(
        select(Debrief)
        .where(in_scope(current_user, Debrief.service_id))
        .options(
            selectinload(Debrief.facilitator),
            selectinload(Debrief.reports),
            selectinload(Debrief.attendees),
            selectinload(Debrief.service),
        )
        .order_by(Debrief.closed_at.is_not(None), Debrief.held_on.desc(), Debrief.id.desc())
        .limit(100)
    ).all()
    return render_template("debriefs/index.html", debriefs=debriefs)


@bp.get("/my/debriefs")
@login_required
def mine():
    """Debriefs you took part in, whatever your role: read them back from your phone."""
    return render_template("debriefs/mine.html", debriefs=debriefs_attended(current_user))


def _chosen_service_id() -> int:
    """The service a new debrief is for: your own, or (admins) the one picked."""
    wanted = request.args.get("service", type=database_id)
    if wanted is None:
        return current_user.service_id
    if not can_see_service(current_user, wanted):
        abort(404)
    return wanted


def _fill_choices(form: DebriefForm, service_id: int, keep_report_ids=()) -> list:
    people = people_who_may_attend(service_id)
    form.facilitator_id.choices = choices((p.id, p.name) for p in people)
    form.attendee_ids.choices = choices(
        (p.id, f"{p.name} (leader)" if p.role in LEADER_ROLES else p.name) for p in people
    )
    reports = reports_to_offer(service_id, tuple(keep_report_ids))
    form.report_ids.choices = choices((r.id, report_label(r)) for r in reports)
    return reports


def report_label(report) -> str:
    harm = f", harm: {report.physical_harm.value}" if report.physical_harm else ""
    text = report.description if len(report.description) <= 70 else report.description[:67] + "…"
    return f"{report.occurred_on:%d %b} · {report.category.label}{harm} – {text}"


def _details(form: DebriefForm) -> dict:
    return {
        "format": DebriefFormat(form.format.data),
        "held_on": form.held_on.data,
        "facilitator_id": form.facilitator_id.data,
        "report_ids": form.report_ids.data or [],
        "attendee_ids": form.attendee_ids.data or [],
        "person_offered": form.person_offered.data,
        "family_offered": form.family_offered.data,
    }


@bp.route("/debriefs/new", methods=["GET", "POST"])
@login_required
@require("debriefs.run")
def new():
    service_id = _chosen_service_id()
    form = DebriefForm()
    _fill_choices(form, service_id)
    if request.method == "GET":
        form.set_defaults(current_user.id if current_user.service_id == service_id else None)
        form.report_ids.data = request.args.getlist("report", type=database_id)
    if form.validate_on_submit():
        try:
            debrief = create_debrief(current_user, service_id, **_details(form))
        except DebriefError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            flash("Debrief started. Thank you for making time for it.", "success")
            return redirect(url_for("debriefs.show", debrief_id=debrief.id))
    return render_template(
        "debriefs/new.html",
        form=form,
        service_id=service_id,
        services=services_for(current_user),
        debrief=None,
        sensitive_warning=_sensitive_warning(form.report_ids.data or []),
    )


def _sensitive_warning(report_ids: list[int]) -> str | None:
    """Warn before a debrief on a safeguarding or police matter (see app/reports/just_culture)."""
    if not report_ids:
        return None
    reports = db.session.scalars(
        select(Report).where(Report.id.in_(report_ids), in_scope(current_user, Report.service_id))
    )
    return SENSITIVE_WARNING if any(map(is_safeguarding_or_police_matter, reports)) else None


@bp.route("/debriefs/<int:debrief_id>/edit", methods=["GET", "POST"])
@login_required
def edit(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id, "debriefs.run")
    if debrief.is_closed:
        flash("This debrief is closed, so it can no longer change.", "info")
        return redirect(url_for("debriefs.show", debrief_id=debrief.id))
    form = DebriefForm()
    _fill_choices(form, debrief.service_id, [r.id for r in debrief.reports])
    if request.method == "GET":
        form.format.data = debrief.format.value
        form.held_on.data = debrief.held_on
        form.facilitator_id.data = debrief.facilitator_id
        form.report_ids.data = [r.id for r in debrief.reports]
        form.attendee_ids.data = [a.user_id for a in debrief.attendees]
        form.person_offered.data = debrief.person_offered
        form.family_offered.data = debrief.family_offered
    if form.validate_on_submit():
        refuse_stale_edit(debrief, form)
        try:
            update_debrief(current_user, debrief, **_details(form))
        except DebriefError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            flash("Debrief details saved.", "success")
            return redirect(url_for("debriefs.show", debrief_id=debrief.id))
    return render_template(
        "debriefs/new.html", form=form, service_id=debrief.service_id, services=[], debrief=debrief
    )


def _load(debrief_id: int, action: str = "debriefs.view") -> Debrief:
    debrief = get_or_404(Debrief, debrief_id, action)
    db.session.scalars(
        select(Debrief)
        .where(Debrief.id == debrief.id)
        .execution_options(populate_existing=True)
        .options(
            selectinload(Debrief.attendees).selectinload(DebriefAttendee.user),
            selectinload(Debrief.contributions),
            selectinload(Debrief.reports),
            selectinload(Debrief.actions).selectinload(Action.owner),
            selectinload(Debrief.facilitator),
        )
    ).one()
    return debrief


def _contribution_forms(debrief: Debrief, keep: dict | None = None) -> dict:
    forms = {p.key: ContributionForm(prefix=p.key, formdata=None) for p in debrief.format.prompts}
    forms.update(keep or {})
    return forms


def _action_form(debrief: Debrief, formdata=None) -> ActionForm:
    form = ActionForm(prefix="action", formdata=formdata)
    form.owner_id.choices = [("", "Choose later")] + choices(
        (p.id, p.name) for p in people_who_may_attend(debrief.service_id)
    )
    return form


def _render_show(debrief: Debrief, *, forms=None, action_form=None, close_form=None, status=200):
    """The debrief page. People who run debriefs change an open one here; an attendee whose
    role cannot (a care worker) reads it, and sees the linked reports by date, kind and harm
    only: the reporter's own words stay with those who review reports, so an anonymous
    reporter cannot be recognised by how they wrote it."""
    return (
        render_template(
            "debriefs/show.html",
            debrief=debrief,
            can_change=can(current_user, "debriefs.run") and not debrief.is_closed,
            reads_reports=can(current_user, "debriefs.view"),
            forms=_contribution_forms(debrief, forms),
            action_form=action_form or _action_form(debrief),
            close_form=close_form or CloseForm(formdata=None),
        ),
        status,
    )


@bp.get("/debriefs/<int:debrief_id>")
@login_required
def show(debrief_id: int):
    return _render_show(_load(debrief_id))


def _closed(debrief: Debrief):
    """A closed debrief reads as a record: say so, and show it again."""
    flash("This debrief is closed, so nothing more can be added.", "info")
    url = url_for("debriefs.show", debrief_id=debrief.id)
    if request.htmx:
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


@bp.post("/debriefs/<int:debrief_id>/prompts/<prompt_key>")
@login_required
def contribute(debrief_id: int, prompt_key: str):
    """Add a point under a prompt: htmx appends it to the list; without JS, redirect back."""
    debrief = _load(debrief_id, "debriefs.run")
    if debrief.is_closed:
        return _closed(debrief)
    prompt = next((p for p in debrief.format.prompts if p.key == prompt_key), None)
    if prompt is None:
        abort(404)
    form = ContributionForm(prefix=prompt_key)
    contribution = None
    if form.validate_on_submit():
        try:
            contribution = add_contribution(
                current_user, debrief, prompt_key, form.text.data, form.unsafe_workaround.data
            )
        except DebriefError as error:
            db.session.rollback()
            form.text.errors = [*form.text.errors, str(error)]
    if request.htmx:
        fresh = form if contribution is None else ContributionForm(prefix=prompt_key, formdata=None)
        return render_template(
            "debriefs/_contribution_added.html",
            debrief=debrief,
            can_change=True,
            prompt=prompt,
            contribution=contribution,
            form=fresh,
        )
    if contribution is None:
        return _render_show(debrief, forms={prompt_key: form}, status=422)
    return redirect(url_for("debriefs.show", debrief_id=debrief.id, _anchor=f"prompt-{prompt_key}"))


@bp.post("/debriefs/<int:debrief_id>/points/<int:contribution_id>/remove")
@login_required
def remove_point(debrief_id: int, contribution_id: int):
    """Take back a point: htmx removes its list item; without JS, redirect back."""
    debrief = _load(debrief_id, "debriefs.run")
    if debrief.is_closed:
        return _closed(debrief)
    contribution = next((c for c in debrief.contributions if c.id == contribution_id), None)
    if contribution is None:
        abort(404)
    prompt_key = contribution.prompt
    try:
        remove_contribution(current_user, contribution)
    except PermissionError:
        abort(403)
    if request.htmx:
        return render_template("debriefs/_point_removed.html")
    return redirect(url_for("debriefs.show", debrief_id=debrief.id, _anchor=f"prompt-{prompt_key}"))


@bp.post("/debriefs/<int:debrief_id>/actions")
@login_required
def agree_action(debrief_id: int):
    debrief = _load(debrief_id, "debriefs.run")
    if debrief.is_closed:
        return _closed(debrief)
    form = _action_form(debrief, request.form)
    action = None
    if form.validate_on_submit():
        try:
            action = add_action(
                current_user, debrief, form.description.data, form.owner_id.data, form.due_on.data
            )
        except DebriefError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
    if request.htmx:
        return render_template(
            "debriefs/_action_added.html",
            debrief=debrief,
            action=action,
            action_form=form if action is None else _action_form(debrief),
        )
    if action is None:
        return _render_show(debrief, action_form=form, status=422)
    return redirect(url_for("debriefs.show", debrief_id=debrief.id, _anchor="actions"))


@bp.post("/debriefs/<int:debrief_id>/close")
@login_required
def close(debrief_id: int):
    debrief = _load(debrief_id, "debriefs.run")
    form = CloseForm()
    if form.validate_on_submit():
        try:
            close_debrief(current_user, debrief, form.learning_summary.data)
        except DebriefError as error:
            db.session.rollback()
            form.learning_summary.errors.append(str(error))
        else:
            flash("Debrief closed. Thank you – the learning is saved for the team.", "success")
            return redirect(url_for("debriefs.show", debrief_id=debrief.id))
    return _render_show(debrief, close_form=form, status=422)


@bp.get("/workarounds")
@login_required
@require("workarounds.manage")
def workarounds():
    return _workarounds_page()


def _workarounds_page(kept: WorkaroundForm | None = None, kept_for: int | None = None):
    """The managers' list; `kept` is a refused form, shown for its flag with what was typed."""
    flags = db.session.scalars(
        select(WorkaroundFlag)
        .where(in_scope(current_user, WorkaroundFlag.service_id))
        .order_by(WorkaroundFlag.raised_at.desc())
        .limit(200)
    ).all()
    grouped = {status: [f for f in flags if f.status is status] for status in WorkaroundStatus}

    def form_for(flag: WorkaroundFlag) -> WorkaroundForm:
        return kept if kept is not None and flag.id == kept_for else _workaround_form(flag)

    return render_template("debriefs/workarounds.html", grouped=grouped, form_for=form_for)


def _workaround_form(flag: WorkaroundFlag, formdata=None) -> WorkaroundForm:
    return WorkaroundForm(prefix=f"flag{flag.id}", formdata=formdata)


@bp.post("/workarounds/<int:flag_id>")
@login_required
def update_workaround(flag_id: int):
    flag = get_or_404(WorkaroundFlag, flag_id, "workarounds.manage")
    form = _workaround_form(flag, request.form)
    if form.validate_on_submit():
        try:
            move_workaround(current_user, flag, WorkaroundStatus(form.status.data), form.note.data)
        except DebriefError as error:
            db.session.rollback()
            target = form.status if error.field == "status" else form.note
            target.errors = [*target.errors, str(error)]
        else:
            flash(f"Marked as {flag.status.label.lower()}. Thank you.", "success")
            return redirect(url_for("debriefs.workarounds", _anchor=f"flag-{flag.id}"))
    # Refused: the message beside its box, and what was typed kept in it.
    return _workarounds_page(form, flag.id), 422
