"""The audit trail for provider admins: who did what, when, in their organisation only."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from app.admin import bp
from app.admin.forms import AuditFilterForm
from app.admin.services import AuditFilters, audit_page, filter_choices
from app.auth.policy import require
from app.inputs import database_id


def _int_or_none(value: str | None) -> int | None:
    try:
        return database_id(value) if value else None
    except ValueError:
        return None


@bp.get("/audit")
@login_required
@require("audit.view")
def audit():
    form = AuditFilterForm(request.args)
    choices = filter_choices(current_user)
    form.action.choices = choices["action"]
    form.person.choices = choices["person"]
    form.service.choices = choices["service"]
    form.validate()
    filters = AuditFilters(
        action=form.action.data or "",
        person_id=_int_or_none(form.person.data),
        service_id=_int_or_none(form.service.data),
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if not form.until.errors else None,
    )
    page_number = form.page.data if form.page.data and not form.page.errors else 1
    page = audit_page(current_user, filters, page_number)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, page=page, query=query)
