"""Report pages. Thin: parse the request, call a service, render.

Staff: /report, /report/thanks/<id>, /reports/mine; anyone with a receipt code:
/reports/receipt; managers and admins (their scope only): /reports and /reports/<id>.
"""

from __future__ import annotations

import uuid

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.auth.policy import can, get_or_404, require
from app.concurrency import refuse_stale_edit
from app.extensions import csrf, db
from app.forms import choices
from app.models.reports import (
    Action,
    CandourStep,
    Category,
    CqcNotification,
    Factor,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportStatus,
    TimeBracket,
)
from app.reports import anonymity, bp, just_culture, services
from app.reports.categories import categories_for_form
from app.reports.conversation_views import receipt_checks
from app.reports.follow_ups import follow_ups_for
from app.reports.forms import ActionForm, FeedbackForm, ReceiptForm, ReviewForm
from app.reports.mine import my_reports_page, reporter_status, reports_with_new_feedback
from app.reports.schemas import REPORT_KINDS
from app.reports.services import (
    ReceiptCodeInvalid,
    ReportInvalid,
    checked_receipt_code,
    new_receipt_code,
    submit_report,
)
from app.security import offline_copy
from app.sync import ClientIdConflict


def _pairs(members) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in members]


def _form_context(answers: dict, errors: dict | None = None, *, for_service=True) -> dict:
    """What the report form shows. The offline copy is for nobody, so it shows the usual
    order of categories rather than a service's (`for_service=False`)."""
    service_id = current_user.service_id if for_service else None
    categories_first, categories_more = categories_for_form(service_id)
    return {
        "answers": answers,
        "errors": errors or {},
        "kinds": _pairs(REPORT_KINDS),
        "categories": _pairs(Category),
        "categories_first": _pairs(categories_first),
        "categories_more": _pairs(categories_more),
        "brackets": _pairs(b for b in TimeBracket if b is not TimeBracket.EXACT),
        "harms": _pairs(PhysicalHarm),
        "psych_harms": _pairs(PsychologicalHarm),
        "follow_ups": follow_ups_for(answers.get("category")),
        "now_local": services.utcnow().astimezone(services.UK).strftime("%Y-%m-%dT%H:%M"),
        "today": services.utcnow().astimezone(services.UK).date().isoformat(),
        "release_minutes": anonymity.release_window().seconds // 60,
    }


@bp.get("/report")
@login_required
@require("reports.create")
def new():
    """The form. Rendered fresh (no-store), it carries this draft's id and the receipt code an
    anonymous report would get, so sending the same form twice shows the same code again.
    The service worker's offline copy is the same form with no draft id, code or token: the
    device makes those (app/security.py, offline copies)."""
    if offline_copy():
        answers = {"time_bracket": "exact"}
        return render_template(
            "reports/new.html", person_free=True, **_form_context(answers, for_service=False)
        )
    answers = {
        "client_id": str(uuid.uuid4()),
        "time_bracket": "exact",
        "receipt_code": new_receipt_code(),
    }
    return render_template("reports/new.html", **_form_context(answers))


def _form_receipt_code(answers: dict) -> str:
    """The code the form was rendered with; a fresh one if it is missing or was changed."""
    try:
        return checked_receipt_code(answers.get("receipt_code")) or new_receipt_code()
    except ReceiptCodeInvalid:
        return new_receipt_code()


@bp.post("/report")
@login_required
@require("reports.create")
def create():
    answers = request.form.to_dict()
    answers.pop("csrf_token", None)
    answers["receipt_code"] = _form_receipt_code(answers)
    if "show_follow_up" in answers:  # the no-JavaScript way to see the category's questions
        answers.pop("show_follow_up")
        return render_template("reports/new.html", **_form_context(answers))
    client_id = answers.pop("client_id", None) or None
    try:
        result = submit_report(current_user, answers, client_id=client_id)
    except ReportInvalid as invalid:  # ReportBody's messages, shown beside their fields
        answers["client_id"] = client_id or str(uuid.uuid4())
        return render_template("reports/new.html", **_form_context(answers, invalid.errors))
    except ReceiptCodeInvalid:
        # The code in the form is another report's (astronomically unlikely): a fresh one.
        answers["client_id"] = client_id or str(uuid.uuid4())
        answers["receipt_code"] = new_receipt_code()
        flash("Please send your report again.", "info")
        return render_template("reports/new.html", **_form_context(answers))
    except ClientIdConflict:
        # Back button, changed answers, sent again: keep what they typed as a new report.
        answers["client_id"] = str(uuid.uuid4())
        answers["receipt_code"] = new_receipt_code()
        flash("Your first report was already sent. Send this one too if it is new.", "info")
        return render_template("reports/new.html", **_form_context(answers))
    if result.report.anonymous:
        # Never stored in the session or a URL: answer this POST with the page. A second
        # sending of the same form carries the same code, so it shows again.
        return render_template(
            "reports/thanks.html", report=result.report, receipt_code=result.receipt_code
        )
    return redirect(url_for("reports.thanks", report_id=result.report.id))


@bp.get("/report/follow-up")
@login_required
def follow_up():
    """The htmx partial with the chosen category's follow-up questions."""
    answers = request.args.to_dict()
    return render_template("reports/_follow_up.html", **_form_context(answers, for_service=False))


@bp.get("/report/thanks/<int:report_id>")
@login_required
def thanks(report_id: int):
    report = db.session.get(Report, report_id)
    if report is None or report.reporter_id != current_user.id:
        abort(404)
    return render_template("reports/thanks.html", report=report, receipt_code=None)


@bp.get("/reports/mine")
@login_required
def mine():
    """The reporter's own reports, a page at a time, new replies first."""
    try:
        page_number = int(request.args.get("page", 1))
    except ValueError:
        page_number = 1
    page = my_reports_page(current_user, page_number)
    response = render_template(
        "reports/mine.html",
        page=page,
        reports=page.reports,
        new_feedback=page.new_feedback,
        reporter_status=reporter_status,
        bulletins=_bulletins_for(page.reports),
    )
    # The card shows the reply: it has been read.
    services.mark_feedback_read(reports_with_new_feedback(page))
    return response


@bp.get("/reports/mine/<int:report_id>")
@login_required
def mine_detail(report_id: int):
    """One of the reporter's own named reports: replies first, then the timeline."""
    report = db.session.get(Report, report_id)
    if report is None or report.reporter_id != current_user.id or report.anonymous:
        abort(404)
    new_feedback = report.has_new_feedback
    response = render_template(
        "reports/mine_detail.html",
        report=report,
        new_feedback=new_feedback,
        reporter_status=reporter_status,
        timeline=services.timeline,
        bulletins=_bulletins_for([report]),
    )
    services.mark_feedback_read([report])
    return response


@bp.route("/reports/receipt", methods=["GET", "POST"])
@receipt_checks  # one limit for every request carrying a receipt code (conversation_views)
@csrf.exempt
def receipt():
    """Anonymous reporters open their report's feedback with the code they kept."""
    form = ReceiptForm()
    report = None
    waiting = False
    if form.validate_on_submit():
        report = services.find_by_receipt(form.code.data)
        waiting = report is None and services.is_held(form.code.data)
        if report is None and not waiting:
            form.code.errors.append(
                "We could not find a report with that code. Check each character."
            )
    response = make_response(
        render_template(
            "reports/receipt.html",
            form=form,
            report=report,
            waiting=waiting,
            release_minutes=anonymity.release_window().seconds // 60,
            timeline=services.timeline,
        )
    )
    # The page names a report and its replies: never kept, whoever is looking.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports")
@login_required
@require("reports.review")
def queue():
    filters = services.QueueFilters.from_args(request.args)
    page = services.queue(current_user, filters)
    return render_template(
        "reports/queue.html",
        page=page,
        statuses=list(ReportStatus),
        categories=list(Category),
        harms=list(PhysicalHarm),
    )


def _review_form(report: Report) -> ReviewForm:
    notifications = report.cqc_notifications or {}
    form = ReviewForm(
        thanks=report.thanks_message,
        status=report.status.value,
        contributory_factors=report.contributory_factors or [],
        learning_outcome=report.learning_outcome or report.learning_message,
        debrief_needed=None
        if report.debrief_needed is None
        else ("yes" if report.debrief_needed else "no"),
        candour_applies=report.candour_applies,
        safeguarding_referred_on=report.safeguarding_referred_on,
        learning_disability_or_autism=None
        if report.learning_disability_or_autism is None
        else ("yes" if report.learning_disability_or_autism else "no"),
        just_culture_outcome=report.just_culture_outcome,
        just_culture_note=report.just_culture_note,
    )
    if request.method == "GET":
        from datetime import date

        def day(raw):
            return date.fromisoformat(raw) if raw else None

        for step in CandourStep:
            getattr(form, f"candour_{step.value}_on").data = day(
                (report.candour_steps or {}).get(step.value)
            )
        due = report.notifications_due()
        for kind in CqcNotification:
            getattr(form, f"cqc_{kind.value}").data = kind.value in notifications or due.get(kind)
            getattr(form, f"cqc_{kind.value}_sent_on").data = day(notifications.get(kind.value))
        for question in just_culture.QUESTIONS:
            getattr(form, f"jc_{question.key}").data = (report.just_culture_answers or {}).get(
                question.key
            )
        for key, _ in just_culture.ROUTE_STEPS:
            getattr(form, f"jc_route_{key}_on").data = day(
                (report.just_culture_route or {}).get(key)
            )
    return form


def _review_from(form: ReviewForm) -> services.Review:
    """The manager's answers, as the service takes them (a date sent ticks its notification)."""
    notifications = {}
    for kind in CqcNotification:
        sent = getattr(form, f"cqc_{kind.value}_sent_on").data
        if getattr(form, f"cqc_{kind.value}").data or sent:
            notifications[kind.value] = sent
    return services.Review(
        status=ReportStatus(form.status.data),
        contributory_factors=form.contributory_factors.data or [],
        learning_outcome=(form.learning_outcome.data or "").strip(),
        debrief_needed=None if not form.debrief_needed.data else form.debrief_needed.data == "yes",
        candour_applies=form.candour_applies.data or None,
        candour_steps={
            step.value: getattr(form, f"candour_{step.value}_on").data.isoformat()
            for step in CandourStep
            if getattr(form, f"candour_{step.value}_on").data
        },
        cqc_notifications=notifications,
        safeguarding_referred_on=form.safeguarding_referred_on.data,
        learning_disability_or_autism=None
        if not form.learning_disability_or_autism.data
        else form.learning_disability_or_autism.data == "yes",
        just_culture_outcome=form.just_culture_outcome.data or None,
        just_culture_note=(form.just_culture_note.data or "").strip(),
        just_culture_answers={
            q.key: getattr(form, f"jc_{q.key}").data
            for q in just_culture.QUESTIONS
            if getattr(form, f"jc_{q.key}").data
        },
        just_culture_route={
            key: getattr(form, f"jc_route_{key}_on").data
            for key, _ in just_culture.ROUTE_STEPS
            if getattr(form, f"jc_route_{key}_on").data
        },
    )


def _action_form(report: Report) -> ActionForm:
    form = ActionForm()
    form.owner_id.choices = choices(
        [("", "Choose someone")] + [(p.id, p.name) for p in services.people_in(report.service_id)]
    )
    return form


def _bulletins_for(reports) -> dict:
    """Learning bulletins made from each report, in one query, when the library is installed.
    (The library builds on reports, so it is imported here only when present.)"""
    if "library.new_bulletin" not in current_app.view_functions:
        return {}
    from app.library.services import bulletins_for_reports

    return bulletins_for_reports(current_user, [r.id for r in reports])


def _next_steps(report) -> dict[str, str]:
    """Links from a review to what often follows it: a learning bulletin (once the learning is
    shared), a team debrief and, for restrictive practice, its restriction record, for
    people allowed to do them."""
    steps = {}
    if (
        report.status in (ReportStatus.LEARNING_SHARED, ReportStatus.CLOSED)
        and "library.new_bulletin" in current_app.view_functions
        and can(current_user, "library.publish")
    ):
        steps["bulletin"] = url_for("library.new_bulletin", report=report.id)
    if "debriefs.new" in current_app.view_functions and can(current_user, "debriefs.run"):
        steps["debrief"] = url_for("debriefs.new", report=report.id)
    if (
        report.category is Category.RESTRICTIVE_PRACTICE
        and "safeguarding.new_restriction" in current_app.view_functions
        and can(current_user, "safeguarding.record")
    ):
        # The record's page for this report (it opens the record when one is already made).
        steps["restriction"] = url_for("safeguarding.new_restriction", report_id=report.id)
    return steps


def _render_review(report, review_form=None, action_form=None):
    return render_template(
        "reports/review.html",
        report=report,
        next_steps=_next_steps(report),
        form=review_form or _review_form(report),
        action_form=action_form or _action_form(report),
        factors={f.value: f.label for f in Factor},
        candour_steps=list(CandourStep),
        cqc_kinds=list(CqcNotification),
        candour_waiting=report.candour_applies == "yes"
        and not {"told", "not_reached"} & set(report.candour_steps or {}),
        days_since_report=(services.utcnow() - report.created_at).days,
        cqc_due=report.notifications_due(),
        jc_questions=just_culture.QUESTIONS,
        jc_route=just_culture.ROUTE_STEPS,
        sensitive_warning=just_culture.SENSITIVE_WARNING
        if just_culture.is_safeguarding_or_police_matter(report)
        else None,
        follow_ups=follow_ups_for(report.category.value),
        timeline=services.timeline(report),
        time_to_feedback=services.time_to_first_feedback(report),
    )


@bp.get("/reports/<int:report_id>")
@login_required
def review(report_id: int):
    report = get_or_404(Report, report_id, "reports.review")
    services.mark_seen(report)
    return _render_review(report)


@bp.post("/reports/<int:report_id>/review")
@login_required
def save_review(report_id: int):
    report = get_or_404(Report, report_id, "reports.review")
    form = _review_form(report)
    if not form.validate_on_submit():
        return _render_review(report, review_form=form)
    refuse_stale_edit(report, form)
    status_chosen = form.status.data != report.status.value
    try:
        services.save_review(report, _review_from(form))
    except services.ReportInvalid as error:
        for name, messages in error.errors.items():
            if name in form:
                form[name].errors = list(messages)
            else:
                form.status.errors = list(messages)
        return _render_review(report, review_form=form), 422
    if _share_feedback(report, form, promote_status=not status_chosen):
        flash(f"Review saved and sent. {_who_sees_it(report)}", "success")
        return redirect(url_for("reports.review", report_id=report.id))
    flash("Review saved.", "success")
    return redirect(url_for("reports.review", report_id=report.id))


def _share_feedback(report: Report, form: ReviewForm, *, promote_status: bool) -> bool:
    """Send the thank-you and the learning typed in the review when they are new or changed,
    so one save keeps both; True when something reached the reporter. A status the manager
    chose in the same save is kept (`promote_status` False)."""
    thanks = (form.thanks.data or "").strip()
    learning = (form.learning_outcome.data or "").strip()
    new_thanks = thanks if thanks and thanks != (report.thanks_message or "") else None
    new_learning = learning if learning and learning != (report.learning_message or "") else None
    if not new_thanks and not new_learning:
        return False
    services.give_feedback(
        report, thanks=new_thanks, learning=new_learning, promote_status=promote_status
    )
    return True


def _who_sees_it(report: Report) -> str:
    if report.anonymous:
        return "The reporter will see it with their receipt code."
    return f"{report.reporter_label} will see it in their reports."


@bp.post("/reports/<int:report_id>/feedback")
@login_required
def feedback(report_id: int):
    report = get_or_404(Report, report_id, "reports.review")
    form = FeedbackForm()
    if form.validate_on_submit():
        if not (form.thanks.data or "").strip() and not (form.learning.data or "").strip():
            form.thanks.errors.append("Write a thank-you or what we learned.")
        else:
            services.give_feedback(report, thanks=form.thanks.data, learning=form.learning.data)
            flash(f"Sent. {_who_sees_it(report)}", "success")
            return redirect(url_for("reports.review", report_id=report.id))
    # The review page has one form: show the message there, with what was typed kept.
    review_form = _review_form(report)
    review_form.thanks.data = form.thanks.data
    review_form.learning_outcome.data = form.learning.data or review_form.learning_outcome.data
    review_form.thanks.errors = list(form.thanks.errors) + list(form.learning.errors)
    return _render_review(report, review_form=review_form)


@bp.post("/reports/<int:report_id>/actions")
@login_required
def add_action(report_id: int):
    report = get_or_404(Report, report_id, "reports.review")
    form = _action_form(report)
    if not form.validate_on_submit():
        return _render_review(report, action_form=form)
    services.add_action(
        report,
        description=form.description.data,
        owner_id=int(form.owner_id.data) if form.owner_id.data else None,
        owner_name=form.owner_name.data,
        due_on=form.due_on.data,
    )
    flash("Action added.", "success")
    return redirect(url_for("reports.review", report_id=report.id) + "#actions")


@bp.post("/reports/<int:report_id>/actions/<int:action_id>/done")
@login_required
def complete_action(report_id: int, action_id: int):
    report = get_or_404(Report, report_id, "reports.review")
    action = get_or_404(Action, action_id, "reports.review")
    if action.report_id != report.id:
        abort(404)
    services.complete_action(action)
    flash("Action marked as done.", "success")
    return redirect(url_for("reports.review", report_id=report.id) + "#actions")


@bp.app_template_filter("uk_date")
def uk_date(value) -> str:
    """26 Nov 2026, 14:30 in UK time."""
    return value.astimezone(services.UK).strftime("%-d %b %Y, %H:%M") if value else ""


@bp.app_template_filter("uk_day")
def uk_day(value) -> str:
    return value.strftime("%-d %b %Y") if value else ""


@bp.app_template_filter("duration")
def duration(value) -> str:
    """A timedelta in words: "3 days", "5 hours", "20 minutes"."""
    seconds = int(value.total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"
