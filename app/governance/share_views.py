"""Managers' pages for share links: make one (after the name check), see every link with its
views, revoke one at once. The public page a link opens is app/governance/share_public.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.policy import get_or_404, in_scope, require, services_for
from app.extensions import db
from app.governance import bp, sharing
from app.governance.services import choose_scope
from app.models import EvidenceShare, Service
from app.notifications.mail import external_url


@bp.get("/evidence/shares")
@login_required
@require("governance.evidence")
def shares():
    links = db.session.scalars(
        select(EvidenceShare)
        .options(selectinload(EvidenceShare.created_by))
        .where(in_scope(current_user, EvidenceShare.service_id))
        .order_by(EvidenceShare.created_at.desc(), EvidenceShare.id.desc())
        .limit(200)
    ).all()
    names = dict(db.session.execute(select(Service.id, Service.name)).all())
    return render_template(
        "governance/share/list.html",
        links=links,
        service_names=names,
        now=sharing.as_of_now(),
    )


@bp.route("/evidence/shares/new", methods=["GET", "POST"])
@login_required
@require("governance.evidence")
def new_share():
    source = request.form if request.method == "POST" else request.args
    choice = choose_scope(
        current_user, source.get("service"), source.get("start"), source.get("end")
    )
    if request.method == "GET":
        return _form(choice, sharing.candidate_stories(choice), {}, [], sharing.DEFAULT_DAYS, "")
    note = request.form.get("note", "")
    days = request.form.get("days", "")
    try:
        stories = sharing.stories_from_form(request.form)
    except sharing.ShareError as error:
        return _form(
            choice, sharing.candidate_stories(choice), error.first_messages(), [], days, note, 422
        )
    asked = sharing.ShareRequest(choice, note, days, request.form.get("passcode", ""), stories)
    errors, note_matches = sharing.check_request(current_user, asked)
    if errors:
        return _form(choice, stories, errors, note_matches, days, note, 422)
    share, token = sharing.create_share(current_user, asked)
    link = external_url(url_for("share.page", token=token))
    return render_template(
        "governance/share/created.html",
        share=share,
        link=link,
        qr=sharing.qr_svg(link),
        services=sharing.describe_services(share),
    )


def _form(choice, stories, errors, note_matches, days, note, status: int = 200):
    return (
        render_template(
            "governance/share/new.html",
            choice=choice,
            stories=stories,
            errors=errors,
            note_matches=note_matches,
            days=days,
            note=note,
            services=services_for(current_user),
            max_days=sharing.MAX_DAYS,
            passcode_min=sharing.PASSCODE_MIN,
            note_max=sharing.NOTE_MAX,
            fewer=sharing.FEWER,
        ),
        status,
    )


@bp.post("/evidence/shares/<int:share_id>/revoke")
@login_required
def revoke_share(share_id: int):
    share = get_or_404(EvidenceShare, share_id, "governance.evidence")
    if sharing.revoke(current_user, share):
        flash("Link revoked: it no longer opens.", "success")
    else:
        flash("That link was already revoked.", "info")
    return redirect(url_for("governance.shares"))
