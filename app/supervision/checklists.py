"""Checklist templates: create one, or edit one (which saves a new version).

Managers and admins look after templates for their service. Past observations point at the
version they used, so editing never changes what a past observation recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.audit import log_event
from app.auth.policy import in_scope
from app.extensions import db
from app.models import ChecklistItem, ChecklistTemplate, User
from app.validation import Invalid


class TemplateError(Invalid):
    """A checklist template that cannot be saved as it is."""


@dataclass
class ItemDraft:
    text: str
    guidance: str = ""
    critical: bool = False
    module: str = ""


def _clean_items(items: list[ItemDraft]) -> list[ItemDraft]:
    kept = [i for i in items if i.text and i.text.strip()]
    if not kept:
        raise TemplateError("Add at least one item to observe.")
    return kept


def _add_items(template: ChecklistTemplate, items: list[ItemDraft]) -> None:
    for position, item in enumerate(items):
        template.items.append(
            ChecklistItem(
                position=position,
                text=item.text.strip(),
                guidance=(item.guidance or "").strip() or None,
                critical=bool(item.critical),
                module=(item.module or "").strip() or None,
            )
        )


def create_template(
    author: User | None,
    *,
    service_id: int,
    name: str,
    renewal_months: int,
    items: list[ItemDraft],
    description: str | None = None,
    recheck_after_medication_report: bool = False,
) -> ChecklistTemplate:
    """A new checklist (version 1). Flushes; the caller commits."""
    template = ChecklistTemplate(
        service_id=service_id,
        name=name.strip(),
        description=description,
        renewal_months=renewal_months,
        recheck_after_medication_report=recheck_after_medication_report,
        created_by_id=author.id if author else None,
        version=1,
        is_current=True,
    )
    _add_items(template, _clean_items(items))
    db.session.add(template)
    db.session.flush()
    template.lineage_id = template.id
    log_event("checklist.created", template, summary={"name": template.name}, actor=author)
    return template


def new_version(
    author: User,
    previous: ChecklistTemplate,
    *,
    name: str,
    renewal_months: int,
    items: list[ItemDraft],
    description: str | None = None,
    recheck_after_medication_report: bool | None = None,
) -> ChecklistTemplate:
    """Save an edit as a new version; the previous version stays for past observations."""
    if not previous.is_current:
        raise TemplateError("A newer version of this checklist exists. Please edit that one.")
    items = _clean_items(items)
    previous.is_current = False
    template = ChecklistTemplate(
        service_id=previous.service_id,
        lineage_id=previous.lineage_id,
        version=previous.version + 1,
        is_current=True,
        name=name.strip(),
        description=description,
        renewal_months=renewal_months,
        recheck_after_medication_report=(
            previous.recheck_after_medication_report
            if recheck_after_medication_report is None
            else recheck_after_medication_report
        ),
        created_by_id=author.id,
    )
    _add_items(template, items)
    db.session.add(template)
    db.session.flush()
    log_event(
        "checklist.new_version",
        template,
        summary={"name": template.name, "version": template.version, "previous": previous.id},
        actor=author,
    )
    return template


def current_templates(user: User) -> list[ChecklistTemplate]:
    """The current version of every checklist in the services `user` can see."""
    return list(
        db.session.scalars(
            select(ChecklistTemplate)
            .where(ChecklistTemplate.is_current, in_scope(user, ChecklistTemplate.service_id))
            .order_by(ChecklistTemplate.name)
        )
    )
