"""Safeguarding pages. Thin: parse the form, find records (records.py) or call a service
(services.py), render.

Every record is fetched through `get_or_404`, and every list is limited with `in_scope`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.forms import choices
from app.auth.policy import can, can_see_service, get_or_404, require, services_for
from app.concurrency import refuse_stale_edit
from app.extensions import db
from app.inputs import database_id
from app.models import (
    BestInterestsDecision,
    Category,
    Debrief,
    LibertyAuthorisation,
    PositiveRiskSession,
    Report,
    RestraintType,
    RestrictivePractice,
    SafeguardingConcern,
    Service,
)
from app.models.base import uk_today, utcnow
from app.safeguarding import bp, queries, records
from app.safeguarding.forms import (
    BestInterestsForm,
    ConcernForm,
    EscalationForm,
    LibertyForm,
    LogFilterForm,
    RestrictionForm,
    ReviewForm,
    RiskSessionForm,
)
from app.safeguarding.records import LOG_LIMIT, UK
from app.safeguarding.services import (
    SafeguardingInvalid,
    escalation_hours,
    link_best_interests,
    overdue_concerns,
    prefill_from_report,
    raise_concern,
    record_best_interests,
    record_liberty,
    record_restriction,
    record_review,
    record_risk_session,
    update_concern,
    update_liberty,
    update_restriction,
)


def to_utc(value: datetime | None) -> datetime | None:
    """A naive UK wall-clock time from a form, as an aware UTC datetime."""
    return value.replace(tzinfo=UK).astimezone(UTC) if value else None


def to_uk(value: datetime | None) -> datetime | None:
    return value.astimezone(UK).replace(tzinfo=None) if value else None


@bp.app_template_filter("sg_when")
def format_when(value: datetime | None) -> str:
    """'3 Nov 2026, 14:05' in UK time."""
    return value.astimezone(UK).strftime("%-d %b %Y, %H:%M") if value else ""


@bp.app_template_filter("sg_hours")
def format_hours(delta: timedelta | float | None) -> str:
    if delta is None:
        return "not yet"
    hours = delta.total_seconds() / 3600 if isinstance(delta, timedelta) else delta
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    return f"{hours:.1f} hours"


def _show_errors(form, error: SafeguardingInvalid) -> None:
    for name, messages in error.errors.items():
        if name in form:
            form[name].errors = list(messages)
        else:
            flash(messages[0], "error")


def _service_choices(form) -> None:
    services = services_for(current_user)
    form.service_id.choices = choices((s.id, s.name) for s in services)
    if form.service_id.data is None:
        form.service_id.data = current_user.service_id


def _log_filter(filters: LogFilterForm, restraint_type: RestraintType | None = None):
    """What a log's filter form asks for (a date that did not parse is left out)."""
    return records.LogFilter(
        person=(filters.person.data or "").strip() or None,
        start=filters.start.data,
        end=filters.end.data,
        needing_action=bool(filters.flagged.data),
        restraint_type=restraint_type,
    )


def _year_range() -> tuple[datetime, datetime]:
    end = utcnow() + timedelta(days=1)
    return end - timedelta(days=366), end


# ---------------------------------------------------------------- overview


@bp.get("/")
@login_required
@require("safeguarding.record")
def index():
    """Supervisors: restrictions and sessions. Managers also: concerns and reports waiting."""
    manager = can(current_user, "safeguarding.manage")
    today = uk_today()
    waiting_restrictions, waiting_concerns = records.reports_waiting(current_user, concerns=manager)
    return render_template(
        "safeguarding/index.html",
        manager=manager,
        reviews_due=records.reviews_overdue(current_user, today),
        decisions_due=records.decisions_due(current_user, today),
        today=today,
        flagged=records.restrictions_needing_attention(current_user),
        people=records.people_with_restrictions(current_user),
        waiting_restrictions=waiting_restrictions,
        waiting_concerns=waiting_concerns,
        overdue=overdue_concerns(current_user) if manager else [],
        liberty_flagged=records.liberty_needing_action(current_user, today) if manager else [],
        hours=escalation_hours(),
        late_before=utcnow() - timedelta(hours=escalation_hours()),
    )


# ---------------------------------------------------------------- restrictive practice


def _bi_choices(form, service_id: int | None, reference: str | None) -> None:
    decisions = records.best_interests_for(service_id, reference)
    form.best_interests_id.choices = choices(
        [(0, "None recorded yet")]
        + [(d.id, f"{d.decided_on:%-d %b %Y}: {d.decision[:60]}") for d in decisions]
    )


@bp.get("/best-interests/options")
@login_required
@require("safeguarding.record")
def best_interests_options():
    """htmx: the best-interests choices for the person reference just typed."""
    form = RestrictionForm(formdata=None)
    service_id = request.args.get("service_id", type=database_id) or current_user.service_id
    if not can_see_service(current_user, service_id):
        abort(404)
    _bi_choices(form, service_id, request.args.get("person_reference", "").strip())
    return render_template("safeguarding/_best_interests_field.html", form=form)


def _refresh_bi_on_change(form, service_id: int | None = None) -> None:
    """With JavaScript, the decision list follows the person reference as it is typed."""
    attributes = {
        "hx-get": url_for("safeguarding.best_interests_options", service_id=service_id),
        "hx-trigger": "change",
        "hx-target": "#best-interests-field",
        "hx-swap": "outerHTML",
    }
    if not service_id and len(form.service_id.choices) > 1:  # the service picker shows
        attributes["hx-include"] = "[name='service_id']"
    form.person_reference.render_kw = {**(form.person_reference.render_kw or {}), **attributes}


def _restriction_answers(form) -> dict:
    answers = dict(form.data)
    answers["started_at"] = to_utc(form.started_at.data)
    return answers


@bp.get("/restrictions")
@login_required
@require("safeguarding.record")
def restrictions():
    """The restrictive practice log, with filters."""
    filters = LogFilterForm(request.args)
    filters.validate()
    kind = filters.restraint_type
    log = _log_filter(filters, RestraintType(kind.data) if kind.data and not kind.errors else None)
    found = records.restriction_log(current_user, log)
    return render_template(
        "safeguarding/restrictions.html", records=found, filters=filters, limit=LOG_LIMIT
    )


@bp.route("/restrictions/new", methods=["GET", "POST"])
@login_required
@require("safeguarding.record")
def new_restriction():
    """Record a restriction, from a restrictive practice report (?report_id=) or directly."""
    report = None
    if request.args.get("report_id"):
        report = _report_or_404(request.args.get("report_id", type=database_id))
        existing = records.restriction_for_report(report.id)
        if existing:
            flash("This report already has a restrictive practice record.", "info")
            return redirect(url_for("safeguarding.restriction", record_id=existing))
        if report.category is not Category.RESTRICTIVE_PRACTICE:
            flash("That report is not about restrictive practice.", "error")
            return redirect(url_for("safeguarding.new_restriction"))
    form = RestrictionForm()
    _service_choices(form)
    if request.method == "GET" and report is not None:
        answers = prefill_from_report(report)
        answers["started_at"] = to_uk(answers["started_at"])
        form.process(data=answers)
        _service_choices(form)
    service_id = report.service_id if report else form.service_id.data
    _bi_choices(form, service_id, form.person_reference.data)
    _refresh_bi_on_change(form, service_id=report.service_id if report else None)
    if request.method == "POST" and form.validate():
        try:
            record = record_restriction(current_user, _restriction_answers(form), report=report)
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The restriction is recorded.", "success")
            return redirect(url_for("safeguarding.restriction", record_id=record.id))
    return render_template(
        "safeguarding/restriction_form.html", form=form, report=report, record=None
    )


def _report_or_404(report_id: int | None) -> Report:
    """A report in scope (managers and supervisors see their service's reports here)."""
    report = records.report_in_scope(current_user, report_id)
    if report is None:
        abort(404)
    return report


@bp.get("/restrictions/<int:record_id>")
@login_required
def restriction(record_id: int):
    record = get_or_404(RestrictivePractice, record_id, "safeguarding.record")
    return render_template(
        "safeguarding/restriction.html",
        record=record,
        manager=can(current_user, "safeguarding.manage"),
    )


@bp.route("/restrictions/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_restriction(record_id: int):
    record = get_or_404(RestrictivePractice, record_id, "safeguarding.record")
    form = RestrictionForm()
    if request.method == "GET":
        values = {f.name: getattr(record, f.name) for f in form if hasattr(record, f.name)}
        values.update(
            started_at=to_uk(record.started_at),
            in_plan="yes" if record.in_plan else "no",
            position=record.position or "",
            consented="" if record.consented is None else ("yes" if record.consented else "no"),
            best_interests_id=record.best_interests_id or 0,
        )
        form.process(data=values)
    _service_choices(form)
    _bi_choices(form, record.service_id, record.person_reference)
    _refresh_bi_on_change(form, service_id=record.service_id)
    if request.method == "POST" and form.validate():
        try:
            refuse_stale_edit(record, form)
            update_restriction(current_user, record, _restriction_answers(form))
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The record is updated.", "success")
            return redirect(url_for("safeguarding.restriction", record_id=record.id))
    return render_template(
        "safeguarding/restriction_form.html", form=form, report=record.report, record=record
    )


# ---------------------------------------------------------------- best interests


@bp.route("/best-interests/new", methods=["GET", "POST"])
@login_required
@require("safeguarding.manage")
def new_best_interests():
    """Record a best-interests decision; with ?restriction_id= it is linked to that record."""
    restriction_record = None
    if request.args.get("restriction_id"):
        restriction_record = get_or_404(
            RestrictivePractice,
            request.args.get("restriction_id", type=database_id),
            "safeguarding.manage",
        )
    form = BestInterestsForm()
    _service_choices(form)
    if request.method == "GET":
        if restriction_record:
            form.person_reference.data = restriction_record.person_reference
            form.service_id.data = restriction_record.service_id
        else:
            form.person_reference.data = request.args.get("person", "")
        form.decided_on.data = uk_today()
    if request.method == "POST" and form.validate():
        answers = dict(form.data)
        if restriction_record:
            answers["service_id"] = restriction_record.service_id
        try:
            decision = record_best_interests(current_user, answers)
            if restriction_record:
                link_best_interests(restriction_record, decision)
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            if restriction_record:
                flash("The best-interests decision is recorded and linked.", "success")
                return redirect(
                    url_for("safeguarding.restriction", record_id=restriction_record.id)
                )
            flash("The best-interests decision is recorded.", "success")
            return redirect(url_for("safeguarding.best_interests", decision_id=decision.id))
    return render_template(
        "safeguarding/best_interests_form.html", form=form, restriction=restriction_record
    )


@bp.get("/best-interests/<int:decision_id>")
@login_required
def best_interests(decision_id: int):
    decision = get_or_404(BestInterestsDecision, decision_id, "safeguarding.record")
    linked = records.restrictions_under(decision)
    return render_template(
        "safeguarding/best_interests.html", decision=decision, linked=linked, today=uk_today()
    )


# ---------------------------------------------------------------- the per-person register


def _person_service(service_id: int) -> Service:
    if not can(current_user, "safeguarding.record"):
        abort(403)
    if not can_see_service(current_user, service_id):
        abort(404)
    return db.get_or_404(Service, service_id)


@bp.get("/services/<int:service_id>/people/<reference>")
@login_required
def register(service_id: int, reference: str):
    """One person's restrictions, counts by month, decisions, reviews and sessions."""
    service = _person_service(service_id)
    manager = can(current_user, "safeguarding.manage")
    found = records.person_records(service_id, reference, with_concerns=manager)
    if not found:
        abort(404)
    start, end = _year_range()
    months = queries.restrictive_practice_by_month([service_id], start, end, reference)
    last_review = found.reviews[0] if found.reviews else None
    review_prompt = _review_prompt(found.restrictions, last_review)
    return render_template(
        "safeguarding/register.html",
        service=service,
        reference=reference,
        restrictions=found.restrictions,
        reviews=found.reviews,
        decisions=found.decisions,
        sessions=found.sessions,
        concerns=found.concerns,
        month_table=_month_table(months),
        last_review=last_review,
        review_prompt=review_prompt,
        today=uk_today(),
        manager=manager,
    )


def _review_prompt(restrictions_, last_review) -> str | None:
    """Why the PBS plan or risk assessment needs a review now, in words, or None."""
    since = last_review.reviewed_on if last_review else None
    pending = [
        r
        for r in restrictions_
        if r.review_needed and (since is None or r.started_at.astimezone(UK).date() > since)
    ]
    if pending:
        count = len(pending)
        return (
            f"{count} {'restriction says' if count == 1 else 'restrictions say'} the PBS plan "
            "or risk assessment needs a review since it was last reviewed."
        )
    if last_review and last_review.next_review_on < uk_today():
        return f"The review was due on {last_review.next_review_on:%-d %B %Y}."
    return None


def _month_table(months):
    """Rows of (month label, {type: count}, total), months without any included, and the
    types that appear, for a table."""
    types = [t for t in RestraintType if any(m.restraint_type is t for m in months)]
    rows: dict[str, dict] = {}
    for m in months:
        rows.setdefault(m.month, {})[m.restraint_type] = m.count
    table = []
    if rows:
        year, month = map(int, min(rows).split("-"))
        last = max(rows)
        while (key := f"{year:04d}-{month:02d}") <= last:
            counts = rows.get(key, {})
            table.append((date(year, month, 1).strftime("%b %Y"), counts, sum(counts.values())))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {"types": types, "rows": table}


@bp.route("/services/<int:service_id>/people/<reference>/reviews/new", methods=["GET", "POST"])
@login_required
def new_review(service_id: int, reference: str):
    """A PBS plan or risk assessment review, linking the reports and debriefs it drew on.
    Debriefs offered are the service's own; those about this person's reports come ticked."""
    if not can(current_user, "safeguarding.manage"):
        abort(403)
    _person_service(service_id)
    reports, debriefs = records.review_sources(service_id, reference)
    form = ReviewForm()
    form.report_ids.choices = choices(
        (r.id, f"{r.occurred_on:%-d %b %Y} · {r.category.label}: {r.description[:60]}")
        for r in reports
    )
    form.debrief_ids.choices = choices((d.id, _debrief_choice(d)) for d in debriefs)
    if request.method == "GET":
        form.reviewed_on.data = uk_today()
        form.report_ids.data = [
            r.id for r in reports if r.category is Category.RESTRICTIVE_PRACTICE
        ]
        form.debrief_ids.data = [
            d.id for d in debriefs if any(r.person_reference == reference for r in d.reports)
        ]
    if request.method == "POST" and form.validate():
        try:
            record_review(current_user, service_id, reference, form.data)
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The review is recorded, with the reports and debriefs it drew on.", "success")
            return redirect(
                url_for("safeguarding.register", service_id=service_id, reference=reference)
            )
    return render_template(
        "safeguarding/review_form.html", form=form, reference=reference, service_id=service_id
    )


def _debrief_choice(debrief: Debrief) -> str:
    about = ", ".join(r.category.label for r in debrief.reports)
    summary = (debrief.learning_summary or "")[:60]
    return (
        f"{debrief.held_on:%-d %b %Y} · {debrief.format.short_label}"
        + (f" after {about.lower()}" if about else "")
        + (f": {summary}" if summary else "")
    )


# ---------------------------------------------------------------- safeguarding concerns


@bp.get("/concerns")
@login_required
@require("safeguarding.manage")
def concerns():
    """Safeguarding concerns, those waiting for escalation first."""
    filters = LogFilterForm(request.args)
    filters.validate()
    return render_template(
        "safeguarding/concerns.html",
        concerns=records.concern_log(current_user, _log_filter(filters)),
        filters=filters,
        now=utcnow(),
        hours=escalation_hours(),
    )


@bp.route("/concerns/new", methods=["GET", "POST"])
@login_required
@require("safeguarding.manage")
def new_concern():
    report = None
    if request.args.get("report_id"):
        report = _report_or_404(request.args.get("report_id", type=database_id))
    form = ConcernForm()
    _service_choices(form)
    if request.method == "GET" and report is not None:
        form.person_reference.data = report.person_reference
        form.what_happened.data = report.description
    if request.method == "POST" and form.validate():
        answers = dict(form.data)
        answers["raised_at"] = to_utc(form.raised_at.data)
        try:
            concern = raise_concern(current_user, answers, report=report)
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The concern is recorded. Now tell the local authority.", "success")
            return redirect(url_for("safeguarding.concern", concern_id=concern.id))
    return render_template("safeguarding/concern_form.html", form=form, report=report)


@bp.route("/concerns/<int:concern_id>", methods=["GET", "POST"])
@login_required
def concern(concern_id: int):
    """The concern, with its escalation, CQC notification and outcome."""
    record = get_or_404(SafeguardingConcern, concern_id, "safeguarding.manage")
    form = EscalationForm(
        data={
            "escalated_at": to_uk(record.escalated_at),
            "escalated_to": record.escalated_to,
            "la_reference": record.la_reference,
            "cqc_notified_at": to_uk(record.cqc_notified_at),
            "outcome": record.outcome,
        }
        if request.method == "GET"
        else None
    )
    if request.method == "POST" and form.validate():
        answers = dict(form.data)
        answers["escalated_at"] = to_utc(form.escalated_at.data)
        answers["cqc_notified_at"] = to_utc(form.cqc_notified_at.data)
        refuse_stale_edit(record, form)
        try:
            update_concern(current_user, record, answers)
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The concern is updated.", "success")
            return redirect(url_for("safeguarding.concern", concern_id=record.id))
    now = utcnow()
    return render_template(
        "safeguarding/concern.html",
        concern=record,
        form=form,
        overdue=record.is_overdue(now, escalation_hours()),
        waited=now - record.raised_at,
        hours=escalation_hours(),
    )


# ---------------------------------------------------------------- DoLS and Court of Protection


def _liberty_answers(form) -> dict:
    return dict(form.data)


@bp.get("/liberty")
@login_required
@require("safeguarding.manage")
def liberty_register():
    """Every DoLS and Court of Protection application, what needs acting on first."""
    today = uk_today()
    return render_template(
        "safeguarding/liberty_register.html",
        records=records.liberty_register(current_user, today),
        today=today,
        limit=LOG_LIMIT,
    )


@bp.route("/liberty/new", methods=["GET", "POST"])
@login_required
@require("safeguarding.manage")
def new_liberty():
    form = LibertyForm()
    _service_choices(form)
    if request.method == "POST" and form.validate():
        try:
            record = record_liberty(current_user, _liberty_answers(form))
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The application is on the register.", "success")
            return redirect(url_for("safeguarding.liberty", record_id=record.id))
    return render_template("safeguarding/liberty_form.html", form=form, record=None)


@bp.route("/liberty/<int:record_id>", methods=["GET", "POST"])
@login_required
def liberty(record_id: int):
    """One register entry: its outcome, expiry, conditions and the CQC notification."""
    record = get_or_404(LibertyAuthorisation, record_id, "safeguarding.manage")
    form = LibertyForm(
        data={
            name: getattr(record, name)
            for name in (
                "person_reference",
                "route",
                "aged_18_or_over",
                "applied_on",
                "applied_to",
                "status",
                "outcome_on",
                "expires_on",
                "conditions",
                "cqc_notified_on",
            )
        }
        if request.method == "GET"
        else None
    )
    _service_choices(form)
    if request.method == "POST" and form.validate():
        try:
            update_liberty(current_user, record, _liberty_answers(form))
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("The register entry is updated.", "success")
            return redirect(url_for("safeguarding.liberty", record_id=record.id))
    return render_template(
        "safeguarding/liberty_form.html", form=form, record=record, today=uk_today()
    )


# ---------------------------------------------------------------- positive risk-taking


@bp.route("/risk-sessions/new", methods=["GET", "POST"])
@login_required
@require("safeguarding.record")
def new_risk_session():
    """A group positive risk-taking reflection, using the positive risk-taking template."""
    form = RiskSessionForm()
    _service_choices(form)
    restrictions_ = records.recent_restrictions(current_user)
    form.restrictive_practice_id.choices = choices(
        [(0, "None")]
        + [
            (
                r.id,
                f"{r.person_reference} · {format_when(r.started_at)} · "
                f"{r.restraint_type.short_label}",
            )
            for r in restrictions_
        ]
    )
    if request.method == "GET":
        form.held_on.data = uk_today()
        form.person_reference.data = request.args.get("person", "")
        form.restrictive_practice_id.data = request.args.get("restriction_id", 0, type=database_id)
    if request.method == "POST" and form.validate():
        try:
            session = record_risk_session(current_user, form.data)
        except SafeguardingInvalid as error:
            _show_errors(form, error)
        else:
            flash("Thank you. The session is recorded.", "success")
            return redirect(url_for("safeguarding.risk_session", session_id=session.id))
    return render_template("safeguarding/risk_session_form.html", form=form)


@bp.get("/risk-sessions/<int:session_id>")
@login_required
def risk_session(session_id: int):
    session = get_or_404(PositiveRiskSession, session_id, "safeguarding.record")
    return render_template("safeguarding/risk_session.html", session=session)


# ---------------------------------------------------------------- trends


@bp.get("/trends")
@login_required
@require("safeguarding.manage")
def trends():
    """Monthly counts by type, the share unplanned, best-interests cover, escalation times."""
    from app.auth.policy import visible_service_ids

    start, end = _year_range()
    services = visible_service_ids(current_user)
    hours = escalation_hours()
    return render_template(
        "safeguarding/trends.html",
        month_table=_month_table(queries.restrictive_practice_by_month(services, start, end)),
        summary=queries.restrictive_practice_summary(services, start, end),
        escalations=queries.escalation_times(services, start, end, hours=hours),
        hours=hours,
    )
