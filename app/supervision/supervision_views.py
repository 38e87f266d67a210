"""Supervision: who is due, holding one with prompts from real work, and the supervisee's view.

Supervisors and above hold supervisions in their services; managers set the frequency and the
escalation question bank; a care worker reads and acknowledges their own supervisions.
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
    get_or_404,
    require,
)
from app.concurrency import refuse_stale_edit
from app.extensions import db
from app.inputs import database_id
from app.models import EscalationQuestion, Supervision, User
from app.models.base import uk_today
from app.supervision import bp
from app.supervision.forms import (
    ACTION_ROWS,
    CommentForm,
    FrequencyForm,
    QuestionForm,
    SupervisionForm,
    SupervisionStartForm,
)
from app.supervision.observations import roles_below
from app.supervision.prompts import prompts_for
from app.supervision.supervisions import (
    ANSWER_MAX,
    REFLECTIVE_PROMPTS,
    EscalationCheck,
    SupervisionInvalid,
    acknowledge_supervision,
    active_questions,
    add_question,
    every_weeks,
    prompts_since,
    questions_for,
    record_supervision,
    retire_question,
    set_frequency,
    supervisees,
    team_due,
)


@bp.get("/supervision")
@login_required
@require("supervision.hold")
def index():
    form = SupervisionStartForm()
    form.supervisee_id.choices = choices((p.id, p.name) for p in supervisees(current_user))
    recent = db.session.scalars(
        select(Supervision)
        .where(development_records(current_user, Supervision))
        .options(selectinload(Supervision.supervisee), selectinload(Supervision.supervisor))
        .order_by(Supervision.held_on.desc(), Supervision.id.desc())
        .limit(15)
    ).all()
    return render_template(
        "supervision/index.html",
        form=form,
        due=team_due(current_user),
        recent=recent,
        every_weeks=every_weeks(current_user.service_id),
    )


def _supervisee_or_404(person_id: int | None) -> User:
    if not person_id:
        abort(404)
    person = get_or_404(User, person_id, "supervision.hold")
    if person.id == current_user.id or not person.active:
        abort(404)
    if person.role not in roles_below(current_user):
        abort(403)
    return person


def _question_ids_from(form_data) -> list[int]:
    return [int(v) for v in form_data.getlist("question_id") if v.isdigit()]


@bp.route("/supervision/new", methods=["GET", "POST"])
@login_required
@require("supervision.hold")
def new():
    chosen = request.values.get("supervisee_id", type=database_id)
    if not chosen:
        flash("Choose who you are holding supervision with.", "info")
        return redirect(url_for("supervision.index"))
    supervisee = _supervisee_or_404(chosen)
    form = SupervisionForm()
    if request.method == "GET":
        form.held_on.data = uk_today()
        questions = questions_for(supervisee)
    else:
        wanted = set(_question_ids_from(request.form))
        questions = [q for q in active_questions(supervisee.service_id) if q.id in wanted]
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            supervision = record_supervision(
                current_user,
                supervisee,
                held_on=form.held_on.data,
                discussion={k: form[f"note_{k}"].data for k, _ in REFLECTIVE_PROMPTS},
                escalation=[
                    EscalationCheck(
                        q.id,
                        request.form.get(f"answer-{q.id}", ""),
                        request.form.get(f"confidence-{q.id}"),
                    )
                    for q in questions
                ],
                actions=[
                    (form[f"action_{n}"].data or "", form[f"action_{n}_due"].data)
                    for n in range(1, ACTION_ROWS + 1)
                ],
            )
        except SupervisionInvalid as error:
            db.session.rollback()
            errors = error.first_messages()
            for name, message in errors.items():
                if name in form and name != "csrf_token":  # the rest the template shows
                    form[name].errors = [*form[name].errors, message]
        else:
            flash(
                f"Supervision with {supervisee.name} saved. They will be asked to read it.",
                "success",
            )
            return redirect(url_for("supervision.record", supervision_id=supervision.id))
    return render_template(
        "supervision/new.html",
        form=form,
        supervisee=supervisee,
        prompts=prompts_for(supervisee, prompts_since(supervisee)),
        since=prompts_since(supervisee),
        questions=questions,
        reflective_prompts=REFLECTIVE_PROMPTS,
        errors=errors,
        answer_max=ANSWER_MAX,
        problems=_problems(form, errors),
        submitted=request.form if request.method == "POST" else None,
    )


def _problems(form: SupervisionForm, errors: dict[str, str]) -> list[tuple[str, str]]:
    """Every reason a supervision was not saved, as (id of the answer to fix, message), for the
    error summary at the top of the page: the form's own checks first, then the service's."""
    problems = [
        (form[name].id, messages[0])
        for name, messages in form.errors.items()
        if name not in errors and name != "csrf_token" and messages
    ]
    if form.csrf_token.errors:
        problems.append((form.held_on.id, "The page had expired. Check your notes and save again."))
    for name, message in errors.items():
        if name == "discussion":
            target = "note_wellbeing"
        elif name.startswith("escalation-"):
            target = f"confidence-{name.removeprefix('escalation-')}-c"
        else:
            target = name
        problems.append((target, message))
    return problems


def _readable_supervision(supervision_id: int) -> Supervision:
    """The supervisee, the supervisor, or someone who line-manages the supervisee
    (app/auth/policy.py, development_records); 404 for anyone else."""
    return get_development_record_or_404(Supervision, supervision_id)


@bp.get("/supervision/<int:supervision_id>")
@login_required
def record(supervision_id: int):
    return _record_page(_readable_supervision(supervision_id), CommentForm())


def _record_page(supervision: Supervision, form: CommentForm):
    return render_template(
        "supervision/record.html",
        supervision=supervision,
        reflective_prompts=REFLECTIVE_PROMPTS,
        form=form,
    )


@bp.post("/supervision/<int:supervision_id>/acknowledge")
@login_required
def acknowledge_record(supervision_id: int):
    """The supervisee's acknowledgement. A comment refused (too long, say) is shown beside its
    box with the words kept, and nothing is saved."""
    supervision = _readable_supervision(supervision_id)
    form = CommentForm()
    if form.validate_on_submit():
        refuse_stale_edit(supervision, form, saved_as={"comment": "supervisee_comment"})
        try:
            acknowledge_supervision(current_user, supervision, form.comment.data)
        except SupervisionInvalid as error:
            db.session.rollback()
            form.comment.errors = [*form.comment.errors, error.message]
        else:
            flash("Thank you. Your supervisor can see you have read this.", "success")
            return redirect(url_for("supervision.record", supervision_id=supervision.id))
    return _record_page(_readable_supervision(supervision_id), form)


def _settings_page(frequency: FrequencyForm, question: QuestionForm):
    return render_template(
        "supervision/settings.html",
        frequency=frequency,
        question=question,
        questions=active_questions(current_user.service_id),
    )


@bp.route("/supervision/settings", methods=["GET", "POST"])
@login_required
@require("supervision.settings")
def settings():
    """How often supervision is due, and the escalation question bank, for my service."""
    frequency = FrequencyForm()
    if request.method == "GET":
        frequency.every_weeks.data = every_weeks(current_user.service_id)
    if frequency.validate_on_submit():
        set_frequency(current_user, current_user.service_id, frequency.every_weeks.data)
        flash(f"Supervision is now due every {frequency.every_weeks.data} weeks.", "success")
        return redirect(url_for("supervision.settings"))
    return _settings_page(frequency, QuestionForm(formdata=None))


@bp.post("/supervision/questions")
@login_required
@require("supervision.settings")
def add_escalation_question():
    question = QuestionForm()
    if question.validate_on_submit():
        try:
            add_question(
                current_user, current_user.service_id, question.text.data, question.good_answer.data
            )
        except SupervisionInvalid as error:
            db.session.rollback()
            for name, message in error.first_messages().items():
                box = question.good_answer if name == "good_answer" else question.text
                box.errors = [*box.errors, message]
        else:
            flash("Question added to the bank.", "success")
            return redirect(url_for("supervision.settings"))
    frequency = FrequencyForm(formdata=None)
    frequency.every_weeks.data = every_weeks(current_user.service_id)
    return _settings_page(frequency, question)


@bp.post("/supervision/questions/<int:question_id>/retire")
@login_required
def retire(question_id: int):
    question = get_or_404(EscalationQuestion, question_id, "supervision.settings")
    retire_question(current_user, question)
    flash("Question taken out of the bank. Past supervisions keep it.", "success")
    return redirect(url_for("supervision.settings"))
