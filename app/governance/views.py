"""Dashboard, evidence pack, meetings, staff pulse and the "you said, we did" board."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from app import cache
from app.audit import log_event
from app.auth.forms import choices
from app.auth.policy import can, get_or_404, in_scope, require, services_for
from app.concurrency import refuse_stale_edit
from app.extensions import db
from app.governance import bp, evidence
from app.governance.charts import render_chart
from app.governance.figures import FIGURES, month_name, today
from app.governance.forms import MeetingForm, MinutesForm, PulseForm, YouSaidWeDidForm
from app.governance.services import (
    PULSE_QUESTIONS,
    PULSE_SCALE,
    GovernanceError,
    add_you_said_we_did,
    answer_pulse,
    choose_scope,
    has_answered_pulse,
    pulse_results,
    record_meeting,
    update_minutes,
)
from app.models import (
    Meeting,
    MeetingKind,
    Report,
    ReportStatus,
    Role,
    User,
    YouSaidWeDid,
    utcnow,
)


@bp.app_template_filter("month_name")
def _month_name(month: str) -> str:
    return month_name(month)


@bp.app_template_filter("month_short")
def _month_short(month: str) -> str:
    """ "2025-12" reads "Dec 2025" in tables (the CSV files keep 2025-12)."""
    return f"{month_name(month)[:3]} {month[:4]}"


@bp.app_template_filter("long_date")
def _long_date(text: str) -> str:
    """ "2026-09-07" reads "7 September 2026"."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def _choice(services=None):
    return choose_scope(
        current_user,
        request.args.get("service"),
        request.args.get("start"),
        request.args.get("end"),
        services,
    )


@bp.get("/dashboard")
@login_required
@require("governance.dashboard")
def dashboard():
    services = services_for(current_user)
    choice = _choice(services)
    context = {
        "choice": choice,
        "figures_html": _figures_html(choice.scope),
        "services": services,
    }
    if request.htmx and not request.htmx.boosted:
        return render_template("governance/_dashboard_panels.html", **context)
    return render_template("governance/dashboard.html", **context)


def _figures_html(scope) -> Markup:
    """The figures and their charts: the same for everyone who may see these services, and
    a couple of dozen queries to build, so they come from the cache while the data stands.

    Each figure is cached on its own (app/cache.py): a new report makes only the figures that
    read reports be built again, the others (debriefs, safeguarding, supervision ...) stay."""
    entries = list(FIGURES)
    range_and_day = f"{scope.first_month}:{scope.last_month}:{today()}"
    parts = [
        (f"figure:{entry.order}", f"figure:{entry.order}:{range_and_day}") for entry in entries
    ]
    headline = current_app.jinja_env.get_template("governance/_headline.html")
    section = current_app.jinja_env.get_template("governance/_figure.html")

    def build(index: int) -> str:
        fig = entries[index].build(scope)
        if fig is None:
            return json.dumps(["", ""])
        return json.dumps(
            [
                headline.render(fig=fig) if fig.headline else "",
                section.render(fig=fig, render_chart=render_chart),
            ]
        )

    built = [json.loads(text) for text in cache.cached_parts(parts, scope.service_ids, build)]
    html = render_template(
        "governance/_figures.html",
        headlines=[Markup(h) for h, _s in built if h],  # noqa: S704  # nosec B704 (our templates)
        sections=[Markup(s) for _h, s in built if s],  # noqa: S704  # nosec B704
    )
    return Markup(html)  # noqa: S704  # nosec B704


@bp.get("/evidence")
@login_required
@require("governance.evidence")
def evidence_pack():
    choice = _choice()
    pack = evidence.build_pack(choice)
    log_event(
        "evidence.viewed", None, summary=evidence.describe(choice), service_id=choice.service_id
    )
    db.session.commit()
    return render_template(
        "governance/evidence.html",
        pack=pack,
        render_chart=render_chart,
        services=services_for(current_user),
    )


@bp.get("/evidence/pack.pdf")
@login_required
@require("governance.evidence")
def evidence_pdf():
    return _export(evidence.render_pdf, "pdf", "pdf", "application/pdf")


@bp.get("/evidence/pack.zip")
@login_required
@require("governance.evidence")
def evidence_zip():
    return _export(evidence.render_zip, "csv", "zip", "application/zip")


def _export(render, audit_format: str, extension: str, mimetype: str) -> Response:
    """Build the pack, audit the export (who took what, for which services), send the file."""
    choice = _choice()
    body = render(evidence.build_pack(choice))
    log_event(
        "evidence.exported",
        None,
        summary={**evidence.describe(choice), "format": audit_format},
        service_id=choice.service_id,
    )
    db.session.commit()
    filename = f"{evidence.filename(choice)}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- Meetings ---------------------------------------------------------------------------------


@bp.get("/meetings")
@login_required
@require("meetings.view")
def meetings():
    listed = db.session.scalars(
        select(Meeting)
        .where(in_scope(current_user, Meeting.service_id))
        .order_by(Meeting.held_on.desc())
        .limit(100)
    ).all()
    return render_template(
        "governance/meetings.html",
        meetings=listed,
        can_record=current_user.has_role(Role.SUPERVISOR),
    )


def _meeting_form() -> MeetingForm:
    form = MeetingForm()
    staff = db.session.scalars(
        select(User)
        .where(User.service_id == current_user.service_id, User.active.is_(True))
        .order_by(User.name)
    ).all()
    form.attendees.choices = choices((u.id, u.name) for u in staff)
    recent = db.session.scalars(
        select(Report)
        .where(
            Report.service_id == current_user.service_id,
            Report.status.in_((ReportStatus.LEARNING_SHARED, ReportStatus.CLOSED)),
            Report.created_at >= _months_ago(3),
        )
        .order_by(Report.created_at.desc())
        .limit(30)
    ).all()
    form.reports.choices = choices(
        (r.id, f"{r.category.label}, {r.created_at:%d %b}: {r.description[:60]}") for r in recent
    )
    return form


def _months_ago(months: int):
    return utcnow() - timedelta(days=31 * months)


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
@require("meetings.record")
def new_meeting():
    form = _meeting_form()
    if form.validate_on_submit():
        try:
            meeting = record_meeting(
                current_user,
                service_id=current_user.service_id,
                kind=MeetingKind(form.kind.data),
                held_on=form.held_on.data,
                title=form.title.data,
                minutes=form.minutes.data,
                attendee_ids=form.attendees.data or [],
                report_ids=form.reports.data or [],
                themes=(form.themes.data or "").splitlines(),
            )
        except GovernanceError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash("Meeting saved. Thank you for sharing the learning.", "success")
            return redirect(url_for("governance.meeting", meeting_id=meeting.id))
    return render_template("governance/meeting_form.html", form=form)


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    record = get_or_404(Meeting, meeting_id, "meetings.view")
    return render_template(
        "governance/meeting.html",
        meeting=record,
        can_edit=current_user.has_role(Role.SUPERVISOR),
    )


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def edit_minutes(meeting_id: int):
    """Correct or complete the minutes. Several people may: a save from a page opened before
    someone else's save is refused with both versions shown (app/concurrency.py)."""
    record = get_or_404(Meeting, meeting_id, "meetings.record")
    form = MinutesForm(data={"minutes": record.minutes} if request.method == "GET" else None)
    if form.validate_on_submit():
        refuse_stale_edit(record, form)
        update_minutes(current_user, record, form.minutes.data)
        flash("Minutes saved.", "success")
        return redirect(url_for("governance.meeting", meeting_id=record.id))
    return render_template("governance/minutes_form.html", form=form, meeting=record)


# -- Staff pulse ------------------------------------------------------------------------------


@bp.route("/pulse", methods=["GET", "POST"])
@login_required
@require("pulse.answer")
def pulse():
    form = PulseForm()
    if has_answered_pulse(current_user):
        return render_template("governance/pulse_done.html")
    if form.validate_on_submit():
        try:
            answer_pulse(current_user, {key: getattr(form, key).data for key in PULSE_QUESTIONS})
        except GovernanceError as error:
            flash(str(error), "error")
        return render_template("governance/pulse_done.html", just_answered=True)
    return render_template("governance/pulse.html", form=form)


@bp.get("/pulse/results")
@login_required
@require("pulse.results")
def pulse_summary():
    choice = _choice()
    return render_template(
        "governance/pulse_results.html",
        quarters=pulse_results(choice.scope.service_ids),
        questions=PULSE_QUESTIONS,
        scale=PULSE_SCALE,
    )


# -- You said, we did -------------------------------------------------------------------------


@bp.get("/you-said-we-did")
@login_required
@require("board.view")
def board():
    return _board_page(YouSaidWeDidForm())


@bp.post("/you-said-we-did")
@login_required
@require("board.manage")
def add_to_board():
    form = YouSaidWeDidForm()
    if form.validate_on_submit():
        try:
            add_you_said_we_did(
                current_user,
                you_said=form.you_said.data,
                we_did=form.we_did.data,
                changed_on=form.changed_on.data,
            )
        except GovernanceError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash("Added to the board.", "success")
            return redirect(url_for("governance.board"))
    return _board_page(form)


def _board_page(form: YouSaidWeDidForm):
    entries = db.session.scalars(
        select(YouSaidWeDid)
        .where(in_scope(current_user, YouSaidWeDid.service_id))
        .order_by(YouSaidWeDid.changed_on.desc())
        .limit(50)
    ).all()
    return render_template(
        "governance/board.html",
        entries=entries,
        form=form,
        can_add=can(current_user, "board.manage"),
    )
