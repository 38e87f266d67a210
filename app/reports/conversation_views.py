"""The conversation on an anonymous report: the manager's side on the report page, the
reporter's side on the receipt page (app/reports/conversation.py says why it is built so).

Managers: POST /reports/<id>/conversation (signed in, CSRF, the report in their scope).
Reporters: POST /reports/receipt/conversation, /reports/receipt/news and /reports/receipt/push,
with the receipt code in the body and no CSRF token: the pages send them without the session
cookie (app/static/js/receipt.js, receipt-watch.js), so nothing ties them to an account, and a
forged post changes nothing its sender could read. Every request opening or writing to a thread by
its code counts toward one limit per address (`RECEIPT_CHECKS_PER_ADDRESS`), and looking for
news toward another (`RECEIPT_NEWS_PER_ADDRESS`), so codes cannot be guessed.
"""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.auth.policy import get_or_404
from app.events import report_feedback_given
from app.extensions import csrf, limiter
from app.models import MessageKind, Report
from app.models.conversations import MANAGER_KINDS
from app.notifications import push
from app.reports import anonymity, bp, conversation, services
from app.reports.forms import ReceiptForm

# The most codes one phone may ask about in one look for news.
NEWS_CODES_MAX = 20


def receipt_limit() -> str:
    return current_app.config["RECEIPT_CHECKS_PER_ADDRESS"]


def news_limit() -> str:
    return current_app.config["RECEIPT_NEWS_PER_ADDRESS"]


# One counter for every request that opens or writes to a thread by its code, whichever page
# sends it. Looking for news has a counter of its own: phones behind one care home address ask
# every few minutes, and must never use up the checks a reporter needs.
receipt_checks = limiter.shared_limit(receipt_limit, scope="receipt-code", methods=["POST"])
news_checks = limiter.limit(news_limit, methods=["POST"])


@bp.app_template_global()
def conversation_for(report: Report, *, for_reporter: bool = False) -> dict | None:
    """What the report and receipt pages show of the conversation (None when there is none)."""
    if not report.anonymous:
        return None
    return {
        "lines": conversation.thread(report, for_reporter=for_reporter),
        "closed": conversation.is_closed(report),
        "reporter_may_write": conversation.reporter_may_write(report),
        "marker": conversation.reply_marker(report),
        "manager_kinds": [k for k in MessageKind if k in MANAGER_KINDS],
        "max": conversation.MESSAGE_MAX,
        "push_key": push.public_key() if for_reporter else None,
    }


# ---- the manager ----------------------------------------------------------------------------


@bp.post("/reports/<int:report_id>/conversation")
@login_required
def manager_message(report_id: int):
    report = get_or_404(Report, report_id, "reports.review")
    try:
        kind = MessageKind(request.form.get("kind", ""))
        conversation.manager_writes(report, current_user, kind, request.form.get("body", ""))
    except ValueError as error:
        message = (
            str(error)
            if isinstance(error, conversation.MessageRefused)
            else ("Choose whether this is a question or an update.")
        )
        flash(message, "error")
    else:
        flash("Sent. The reporter reads it with their receipt code.", "success")
    return redirect(url_for("reports.review", report_id=report.id) + "#conversation")


# ---- the reporter ---------------------------------------------------------------------------


def _receipt_page(
    form: ReceiptForm,
    report: Report | None,
    *,
    notice: str | None = None,
    problem: str | None = None,
    status: int = 200,
):
    response = make_response(
        render_template(
            "reports/receipt.html",
            form=form,
            report=report,
            waiting=False,
            release_minutes=anonymity.release_window().seconds // 60,
            timeline=services.timeline,
            conversation_notice=notice,
            conversation_problem=problem,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/reports/receipt/conversation")
@receipt_checks
@csrf.exempt
def reporter_message():
    """The reporter answers, adds what they remember, or closes. Held, released later."""
    form = ReceiptForm(meta={"csrf": False})
    code = request.form.get("code", "")
    report = services.find_by_receipt(code)
    if report is None:
        form.code.errors = ["We could not find a report with that code. Check each character."]
        return _receipt_page(form, None, status=404)
    try:
        kind = MessageKind(request.form.get("kind", ""))
        conversation.reporter_writes(report, kind, request.form.get("body", ""))
    except ValueError as error:
        problem = (
            str(error)
            if isinstance(error, conversation.MessageRefused)
            else ("Choose what you want to do.")
        )
        return _receipt_page(form, report, problem=problem, status=422)
    minutes = anonymity.release_window().seconds // 60
    notice = (
        "Closed. Your manager will see that you closed the conversation "
        if kind is MessageKind.CLOSED
        else "Sent. Your manager will see it "
    ) + f"within {minutes} minutes, at a moment chosen at random, so it cannot be matched to you."
    return _receipt_page(form, report, notice=notice)


@bp.post("/reports/receipt/news")
@news_checks
@csrf.exempt
def news():
    """For the phone that keeps receipt codes: for each code, a marker that changes when
    something new reaches the reporter. Codes we do not know answer null."""
    body = request.get_json(silent=True) or {}
    codes = body.get("codes") if isinstance(body, dict) else None
    if not isinstance(codes, list) or len(codes) > NEWS_CODES_MAX:
        return jsonify(error="Send up to 20 codes as a list."), 400
    answer = {}
    for code in codes:
        if not isinstance(code, str):
            continue
        report = services.find_by_receipt(code)
        answer[code] = (
            {"marker": conversation.reply_marker(report), "news": conversation.has_news(report)}
            if report is not None
            else None
        )
    response = jsonify(codes=answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/reports/receipt/push")
@receipt_checks
@csrf.exempt
def receipt_push():
    """This phone asks to hear when a reply comes for one code (`remove: true` stops it). The
    subscription is stored against the code's hash only, never a person."""
    body = request.get_json(silent=True) or {}
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not (services.find_by_receipt(code) or services.is_held(code)):
        return jsonify(error="We could not find a report with that code."), 404
    digest = services.receipt_hash(code)
    if body.get("remove"):
        push.unsubscribe(str(body.get("endpoint") or ""), receipt_hash=digest)
        return jsonify(subscribed=False)
    if not push.is_enabled():
        return jsonify(error="Notifications are not set up on this server."), 409
    try:
        push.subscribe(body.get("subscription"), receipt_hash=digest)
    except push.SubscriptionInvalid as error:
        return jsonify(error=str(error)), 400
    return jsonify(subscribed=True), 201


# ---- thanks and learning on an anonymous report reach the phones holding its code ---------


def _push_anonymous_feedback(report: Report, **_extra) -> None:
    """Thanks or learning on an anonymous report: tell the phones that asked, by code."""
    if not report.anonymous or not report.receipt_hash:
        return
    from app.extensions import db

    try:
        if push.queue_for_receipt(report.receipt_hash):
            db.session.commit()
    except Exception:  # a push must never break the save that caused it
        db.session.rollback()
        current_app.logger.exception("Could not queue the push for an anonymous report")


report_feedback_given.connect(_push_anonymous_feedback, weak=False)
