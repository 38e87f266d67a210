"""Reflection pages: write one (/reflect), my reflections (/reflections), read one.

Every signed-in person writes and lists only their own. A reflection's page opens for its
author, and for supervisors and above of the author's service once the author has shared it;
for anyone else it does not exist (404).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.policy import get_or_404, require
from app.extensions import db
from app.models import Reflection, ReflectionTemplate
from app.reflections import bp
from app.reflections.forms import reflection_form
from app.reflections.services import (
    can_read,
    link_choices,
    reflections_by,
    save_reflection,
    set_sharing,
    shared_with,
)
from app.security import offline_copy
from app.validation import Invalid


def _template_from(value: str | None) -> ReflectionTemplate:
    try:
        return ReflectionTemplate(value)
    except ValueError:
        return ReflectionTemplate.HELPED_HINDERED


def _field_for(form, name: str):
    """The box a refusal belongs beside: "answers.<prompt>..." is that prompt's box; a name
    the form has no box for goes beside the link."""
    parts = name.split(".")
    key = parts[1] if parts[0] == "answers" and len(parts) > 1 else parts[0]
    field = getattr(form, key, None)
    return field if field is not None else form.link


@bp.route("/reflect", methods=["GET", "POST"])
@login_required
@require("reflections.write")
def new():
    source = request.form if request.method == "POST" else request.args
    template = _template_from(source.get("template"))
    if offline_copy():
        # The service worker's copy: no token and none of the person's reports or debriefs
        # to link (app/security.py); the device fills in the rest when it sends.
        form = reflection_form(template, [])
        return render_template(
            "reflections/new.html", form=form, template=template, person_free=True, kept={}
        )
    form = reflection_form(template, link_choices(current_user))
    if request.method == "GET":
        form.link.data = request.args.get("link", "")
    switching = request.form.get("intent") == "switch"
    if request.method == "POST" and not switching and form.validate_on_submit():
        answers = {p.key: form[p.key].data for p in template.prompts}
        try:
            saved = save_reflection(
                current_user,
                answers,
                template=template,
                shared=form.shared.data,
                workaround=form.workaround.data,
                link=form.link.data or "",
                client_id=form.client_id.data or None,
            )
        except Invalid as error:  # ReflectionError, or its client_id used with other words
            db.session.rollback()
            target = _field_for(form, error.field)
            target.errors = [*target.errors, error.message]
        else:
            flash(_thanks(saved.reflection), "success")
            return redirect(url_for("reflections.show", reflection_id=saved.reflection.id))
    return render_template(
        "reflections/new.html", form=form, template=template, kept=_kept_answers(template)
    )


def _kept_answers(template: ReflectionTemplate) -> dict[str, str]:
    """Text typed under another question set, carried in the page while a person switches
    sets, so switching there and back loses nothing. Only the chosen set is saved."""
    if request.method != "POST":
        return {}
    return {
        prompt.key: request.form[prompt.key]
        for other in ReflectionTemplate
        if other is not template
        for prompt in other.prompts
        if (request.form.get(prompt.key) or "").strip()
    }


def _thanks(reflection: Reflection) -> str:
    if reflection.shared_with_supervisor:
        return "Saved and shared with your supervisor. Thank you for taking the time."
    return "Saved. Only you can read it. Thank you for taking the time."


@bp.get("/reflections")
@login_required
@require("reflections.write")
def mine():
    return render_template("reflections/mine.html", reflections=reflections_by(current_user))


@bp.get("/reflections/shared")
@login_required
@require("reflections.read_shared")
def shared():
    """Supervisors and above: reflections staff of their services chose to share."""
    return render_template("reflections/shared.html", reflections=shared_with(current_user))


def _readable(reflection_id: int) -> Reflection:
    reflection = get_or_404(Reflection, reflection_id, "reflections.write")
    if not can_read(current_user, reflection):
        abort(404)
    return reflection


@bp.get("/reflections/<int:reflection_id>")
@login_required
def show(reflection_id: int):
    return render_template("reflections/show.html", reflection=_readable(reflection_id))


@bp.post("/reflections/<int:reflection_id>/sharing")
@login_required
def sharing(reflection_id: int):
    reflection = _readable(reflection_id)
    if reflection.author_id != current_user.id:
        abort(404)
    shared = request.form.get("shared") == "1"
    set_sharing(current_user, reflection, shared)
    flash("Shared with your supervisor." if shared else "Only you can read this now.", "success")
    return redirect(url_for("reflections.show", reflection_id=reflection.id))
