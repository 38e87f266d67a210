"""Checklist templates: managers and admins create them; editing saves a new version.

Supervisors may read checklists (they use them); only managers and admins change them.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.policy import get_or_404, require
from app.extensions import db
from app.models import ChecklistTemplate
from app.supervision import bp
from app.supervision.checklists import (
    ItemDraft,
    TemplateError,
    create_template,
    current_templates,
    new_version,
)
from app.supervision.forms import ChecklistForm

BLANK_ITEM_ROWS = 3


def _items(form: ChecklistForm) -> list[ItemDraft]:
    return [
        ItemDraft(
            text=entry.form.text.data or "",
            guidance=entry.form.guidance.data or "",
            critical=bool(entry.form.critical.data),
            module=entry.form.module.data or "",
        )
        for entry in form.items
    ]


def _with_blank_rows(form: ChecklistForm) -> None:
    for _ in range(BLANK_ITEM_ROWS):
        form.items.append_entry()


@bp.get("/checklists")
@login_required
@require("observations.record")
def checklists():
    return render_template("supervision/checklists.html", templates=current_templates(current_user))


@bp.route("/checklists/new", methods=["GET", "POST"])
@login_required
@require("checklists.manage")
def new_checklist():
    form = ChecklistForm()
    items_error = None
    if request.method == "GET":
        form.renewal_months.data = 12
        _with_blank_rows(form)
    if form.validate_on_submit():
        try:
            template = create_template(
                current_user,
                service_id=current_user.service_id,
                name=form.name.data,
                description=form.description.data or None,
                renewal_months=form.renewal_months.data,
                recheck_after_medication_report=form.recheck_after_medication_report.data,
                items=_items(form),
            )
        except TemplateError as error:
            items_error = str(error)
        else:
            db.session.commit()
            flash(f"“{template.name}” is ready to use.", "success")
            return redirect(url_for("supervision.checklist", template_id=template.id))
    return render_template(
        "supervision/checklist_form.html", form=form, template=None, items_error=items_error
    )


@bp.get("/checklists/<int:template_id>")
@login_required
def checklist(template_id: int):
    template = get_or_404(ChecklistTemplate, template_id, "observations.record")
    versions = db.session.scalars(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.lineage_id == template.lineage_id)
        .order_by(ChecklistTemplate.version.desc())
    ).all()
    return render_template("supervision/checklist.html", template=template, versions=versions)


@bp.route("/checklists/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def edit_checklist(template_id: int):
    template = get_or_404(ChecklistTemplate, template_id, "checklists.manage")
    form = ChecklistForm(obj=template if request.method == "GET" else None)
    items_error = None
    if request.method == "GET":
        while form.items.entries:
            form.items.pop_entry()
        for item in template.items:
            form.items.append_entry(
                {
                    "text": item.text,
                    "guidance": item.guidance or "",
                    "critical": item.critical,
                    "module": item.module or "",
                }
            )
        _with_blank_rows(form)
    if form.validate_on_submit():
        try:
            updated = new_version(
                current_user,
                template,
                name=form.name.data,
                description=form.description.data or None,
                renewal_months=form.renewal_months.data,
                recheck_after_medication_report=form.recheck_after_medication_report.data,
                items=_items(form),
            )
        except TemplateError as error:
            items_error = str(error)
        else:
            db.session.commit()
            flash(
                f"Saved as version {updated.version}. "
                "Past observations keep the version they used.",
                "success",
            )
            return redirect(url_for("supervision.checklist", template_id=updated.id))
    return render_template(
        "supervision/checklist_form.html", form=form, template=template, items_error=items_error
    )
