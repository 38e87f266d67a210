"""Observing practice on a tablet, and each person's own development page.

Supervisors and above record observations (`/observe`) for people in the services they can
see; everyone sees their own observations and supervisions at `/my/development`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.forms import choices
from app.auth.policy import (
    development_records,
    get_development_record_or_404,
    get_draft_observation_or_404,
    in_scope,
    require,
)
from app.extensions import db
from app.inputs import database_id
from app.models import (
    ChecklistTemplate,
    Observation,
    ObservationStatus,
    Supervision,
    User,
)
from app.security import offline_copy
from app.supervision import bp
from app.supervision.checklists import current_templates
from app.supervision.forms import CommentForm, ObservationOutcomeForm, ObserveStartForm
from app.supervision.observations import (
    ObservationInvalid,
    acknowledge_observation,
    competency_grid,
    latest_observations,
    observable_staff,
    progress,
    record_observation,
    save_answer,
    start_observation,
    team_support,
    was_forced,
)
from app.supervision.schemas import NOTE_MAX


def _start_form(templates: list[ChecklistTemplate]) -> ObserveStartForm:
    """The form to start an observation with one of `templates` (the viewer's current
    checklists, read once by the page that also lists their add-on modules)."""
    form = ObserveStartForm()
    # No one is preselected: observing the wrong person by accident is worse than one more tap.
    form.staff_id.choices = choices(
        [(0, "Choose a person")] + [(p.id, p.name) for p in observable_staff(current_user)]
    )
    form.template_id.choices = choices((t.id, t.name) for t in templates)
    form.modules.choices = choices((m, m) for t in templates for m in t.add_on_modules)
    return form


@bp.route("/observe", methods=["GET", "POST"])
@login_required
@require("observations.record")
def observe():
    """Step one: choose the person and the checklist."""
    if offline_copy():
        # The service worker's copy: no staff, no outcomes, no token (app/security.py).
        # Choosing the person needs a connection; the checklists' names are not personal.
        return render_template(
            "supervision/observe.html",
            person_free=True,
            checklists=current_templates(current_user),
            form=None,
            drafts=[],
            recent=[],
        )
    templates = current_templates(current_user)
    form = _start_form(templates)
    if request.method == "GET" and request.args.get("staff_id", type=database_id):
        form.staff_id.data = request.args.get("staff_id", type=database_id)
    if form.validate_on_submit():
        staff = db.session.get(User, form.staff_id.data)
        template = db.session.get(ChecklistTemplate, form.template_id.data)
        try:
            observation = start_observation(current_user, staff, template, form.modules.data or [])
        except ObservationInvalid as error:
            for name, messages in error.errors.items():
                form[name].errors.extend(messages)
        else:
            return redirect(url_for("supervision.observation_form", observation_id=observation.id))
    drafts = db.session.scalars(
        select(Observation)
        .where(
            Observation.observer_id == current_user.id,
            Observation.status == ObservationStatus.DRAFT,
            in_scope(current_user, Observation.service_id),
        )
        .options(selectinload(Observation.staff), selectinload(Observation.template))
        .order_by(Observation.created_at.desc())
    ).all()
    recent = db.session.scalars(
        select(Observation)
        .where(
            Observation.status == ObservationStatus.COMPLETED,
            development_records(current_user, Observation),
        )
        .options(selectinload(Observation.staff), selectinload(Observation.template))
        .order_by(Observation.completed_at.desc())
        .limit(10)
    ).all()
    return render_template(
        "supervision/observe.html",
        form=form,
        drafts=_one_per_person_and_checklist(drafts),
        recent=recent,
        module_templates=" ".join(str(t.id) for t in templates if t.add_on_modules),
    )


def _one_per_person_and_checklist(drafts: list[Observation]) -> list[Observation]:
    """The newest draft for each person and checklist (drafts arrive newest first): starting
    the same observation twice must not list it twice under "Carry on where you left off"."""
    seen: set[tuple[int, int]] = set()
    unique = []
    for draft in drafts:
        key = (draft.staff_id, draft.template_id)
        if key not in seen:
            seen.add(key)
            unique.append(draft)
    return unique


def _load_draft(observation_id: int) -> Observation:
    """The observer's own draft (or finished observation); anyone else's is not found."""
    return get_draft_observation_or_404(observation_id)


def _answers_from(form_data) -> dict:
    """The body record_observation() takes: the page's own fields, as the outbox sends them
    (its draft is the page's; ObservationBody reads the rest)."""
    return {
        name: value
        for name, value in form_data.items()
        if name not in {"csrf_token", "draft_id", "client_id"}
    }


def _show_beside_fields(form: ObservationOutcomeForm, errors: dict[str, str]) -> None:
    """The service's messages beside the form's own boxes (the items' boxes and notes are
    written in the template, which reads `errors` itself)."""
    for name, message in errors.items():
        if name in form and name != "csrf_token":
            form[name].errors = [*form[name].errors, message]
        elif name == "actions":
            form.action_1.errors = [*form.action_1.errors, message]


@bp.route("/observe/<int:observation_id>", methods=["GET", "POST"])
@login_required
def observation_form(observation_id: int):
    """Step two: one card per item, then the outcome and plan. One plain form without JS."""
    observation = _load_draft(observation_id)
    if observation.status is ObservationStatus.COMPLETED:
        return redirect(url_for("supervision.observation", observation_id=observation.id))
    form = ObservationOutcomeForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            record_observation(current_user, _answers_from(request.form), draft=observation)
        except ObservationInvalid as error:
            db.session.rollback()
            observation = _load_draft(observation_id)
            errors = error.first_messages()
            _show_beside_fields(form, errors)
        else:
            flash(f"Observation of {observation.staff.name} saved.", "success")
            return redirect(url_for("supervision.observation", observation_id=observation.id))
    submitted = request.form if request.method == "POST" else None
    answered, total = progress(observation)
    return render_template(
        "supervision/observation_form.html",
        observation=observation,
        form=form,
        errors=errors,
        submitted=submitted,
        answered=answered,
        total=total,
        note_max=NOTE_MAX,
    )


@bp.post("/observe/<int:observation_id>/items/<int:item_id>")
@login_required
def save_item(observation_id: int, item_id: int):
    """htmx: save one item as the supervisor taps; answer with the new progress bar."""
    observation = _load_draft(observation_id)
    try:
        save_answer(
            observation,
            item_id,
            request.form.get(f"item-{item_id}"),
            request.form.get(f"note-{item_id}"),
            observer=current_user,
        )
    except ObservationInvalid as error:
        if request.htmx:
            return render_template("supervision/_save_error.html", message=error.message), 422
        abort(400)
    if not request.htmx:
        return redirect(url_for("supervision.observation_form", observation_id=observation.id))
    answered, total = progress(observation)
    return render_template(
        "supervision/_progress.html", answered=answered, total=total, observation=observation
    )


def _readable_observation(observation_id: int) -> Observation:
    """The observed person, the observer, or someone who line-manages the observed person
    (app/auth/policy.py, development_records); 404 for anyone else."""
    return get_development_record_or_404(Observation, observation_id)


@bp.get("/observations/<int:observation_id>")
@login_required
def observation(observation_id: int):
    observation = _readable_observation(observation_id)
    if observation.status is ObservationStatus.DRAFT:
        return redirect(url_for("supervision.observation_form", observation_id=observation.id))
    return _observation_page(observation, CommentForm())


def _observation_page(observation: Observation, form: CommentForm):
    answers = {a.item_id: a for a in observation.answers}
    return render_template(
        "supervision/observation.html",
        observation=observation,
        answers=answers,
        forced=was_forced(observation),
        form=form,
    )


@bp.post("/observations/<int:observation_id>/acknowledge")
@login_required
def acknowledge(observation_id: int):
    """The observed person's acknowledgement. A comment refused (too long, say) is shown
    beside its box with the words kept, and nothing is saved."""
    observation = _readable_observation(observation_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            acknowledge_observation(current_user, observation, form.comment.data)
        except ObservationInvalid as error:
            db.session.rollback()
            form.comment.errors = [*form.comment.errors, error.message]
        else:
            flash("Thank you. Your supervisor can see you have read this.", "success")
            return redirect(url_for("supervision.observation", observation_id=observation.id))
    return _observation_page(_readable_observation(observation_id), form)


@bp.get("/observe/team")
@login_required
@require("observations.record")
def team():
    """Competency status for the team, and who needs which support."""
    staff = observable_staff(current_user)
    latest = latest_observations([person.id for person in staff])
    statuses = competency_grid(current_user, staff, latest=latest)
    return render_template(
        "supervision/team.html",
        statuses=statuses,
        attention=[s for s in statuses if s.needs_attention],
        needs=team_support(staff, latest),
    )


@bp.get("/my/development")
@login_required
def mine():
    """My observations, supervisions and competency status."""
    observations = db.session.scalars(
        select(Observation)
        .where(
            Observation.staff_id == current_user.id,
            Observation.status == ObservationStatus.COMPLETED,
        )
        .options(selectinload(Observation.template), selectinload(Observation.observer))
        .order_by(Observation.observed_on.desc(), Observation.id.desc())
    ).all()
    supervisions = db.session.scalars(
        select(Supervision)
        .where(Supervision.supervisee_id == current_user.id)
        .options(selectinload(Supervision.supervisor))
        .order_by(Supervision.held_on.desc())
    ).all()
    return render_template(
        "supervision/mine.html",
        observations=observations,
        supervisions=supervisions,
        statuses=competency_grid(current_user, [current_user]),
    )
