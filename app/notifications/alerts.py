"""Safety alerts and feedback notices, sent when other features send the signals in app/events.py.

Rules (each alert goes to the service's managers, in the app and by email; managers cannot
turn safety-alert emails off). docs/sources.md gives the regulation or guidance behind each:
- a report of an incident with moderate or worse harm (physical or psychological);
- a report in the safeguarding category, or `safeguarding_concern_raised`;
- a restrictive practice report that was not in the person's plan (the form stores "no"),
  informal, seclusion or long-term segregation (even "in plan"), or prone restraint;
- `restrictive_practice_recorded` for a `RestrictivePractice` with any of its `flags`
  (also capacity not considered, or a person with capacity who did not consent);
- the CQC notifications a report points to: a death (Regulation 16), a possible serious
  injury such as a fracture (18(2)(a)-(b)), any abuse or allegation (18(2)(e)), the police
  (18(2)(f)); and a duty of candour step for severe or fatal harm (Regulation 20);
- `safeguarding_escalation_overdue`: an escalation still outstanding past its limit (at most
  once a day per escalation while the last alert is unread, so an hourly check can resend it).
One report that meets several rules makes one alert that lists every reason.

The reporter is told when their report gets thanks or learning (`report_feedback_given`), in
the app and by email if they chose; an anonymous report (reporter_id None) notifies nobody.
Reports send it as `report_feedback_given.send(report, thanks=True, learning=True)`.

Emails never include descriptions, names or references of the person supported: only what
needs attention, where, and a link.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from app import events
from app.extensions import db
from app.models import (
    Category,
    CqcNotification,
    EmailTopic,
    Notification,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    Service,
    utcnow,
)
from app.notifications.mail import path_to
from app.notifications.services import managers_of, tell

log = logging.getLogger("learnloop.alerts")

REPEAT_AFTER = timedelta(hours=24)
MODERATE_OR_WORSE = {PhysicalHarm.MODERATE, PhysicalHarm.SEVERE, PhysicalHarm.FATAL}
PSYCH_MODERATE_OR_WORSE = {PsychologicalHarm.MODERATE, PsychologicalHarm.SEVERE}
REPORT_ENDPOINTS = ("reports.review", "reports.show", "reports.detail", "reports.view")
RESTRICTION_ENDPOINTS = ("safeguarding.restriction",)
MY_REPORT_ENDPOINTS = ("reports.mine_detail", "reports.receipt", "reports.mine")


def path_for(endpoints: tuple[str, ...], **values) -> str:
    """The first of `endpoints` that exists (features land in any order), else the list."""
    for endpoint in endpoints:
        if endpoint in current_app.view_functions:
            try:
                return path_to(endpoint, **values)
            except BuildError:
                try:
                    return path_to(endpoint)
                except BuildError:
                    continue
    return path_to("notifications.index")


def _label(value) -> str:
    return str(getattr(value, "label", value or ""))


def _restriction_reasons(answers: dict) -> list[str]:
    """Restrictive practice rules (docs/sources.md): the parts of RestrictivePractice.flags a
    report's answers can show, judged by the model's own rules."""
    from app.safeguarding.services import restriction_described

    restriction = restriction_described(answers)
    reasons = []
    if restriction.is_unplanned:
        reasons.append("A restrictive practice was used that was not in the person's plan")
    if restriction.is_seclusion_or_segregation:
        reasons.append(
            "Seclusion or long-term segregation was used: outside a hospital this is very "
            "likely an unlawful deprivation of liberty, even when it is in the plan"
        )
    if restriction.is_prone:
        reasons.append("Prone (face-down) restraint was used: never restrain anyone face down")
    return reasons


CQC_PROMPTS = {
    CqcNotification.DEATH: "A death: notify CQC (Regulation 16)",
    CqcNotification.LEDER: "Notify LeDeR of the death",
    CqcNotification.ABUSE: (
        "CQC must be told of any abuse or allegation of abuse (Regulation 18(2)(e))"
    ),
    CqcNotification.POLICE: "The police are involved: notify CQC (Regulation 18(2)(f))",
}


def cqc_reasons(report: Report) -> list[str]:
    """The CQC notifications a report points to (Report.notifications_due)."""
    reasons = []
    for kind, required in report.notifications_due().items():
        if kind is CqcNotification.SERIOUS_INJURY:
            reasons.append(
                "Notify CQC of a serious injury (Regulation 18(2)(a)-(b))"
                if required
                else "Check whether CQC must be told of a serious injury, such as a fracture "
                "(Regulation 18(2)(a)-(b))"
            )
        else:
            reasons.append(CQC_PROMPTS[kind])
    if report.physical_harm is PhysicalHarm.FATAL:
        reasons.append(
            "If the person had a learning disability or was autistic, notify LeDeR as well"
        )
    return reasons


SERIOUS_PRESSURE_ULCERS = {"3", "4", "unstageable", "deep_tissue"}


def _clinical_reasons(report: Report, answers: dict) -> list[str]:
    """Falls, pressure ulcers and controlled drugs: see docs/sources.md."""
    reasons = []
    maybe = ("yes", "not_sure")
    if (
        report.category is Category.FALLS
        and answers.get("head_injury") in maybe
        and answers.get("anticoagulant") in maybe
    ):
        reasons.append(
            "A possible head injury in someone who may take a blood thinner: they need an "
            "urgent medical assessment (NICE NG232)"
        )
    if (
        report.category is Category.PRESSURE_CARE
        and answers.get("ulcer_category") in SERIOUS_PRESSURE_ULCERS
    ):
        reasons.append(
            "A category 3 or worse pressure ulcer: use the DHSC safeguarding protocol (2018) to "
            "decide on a safeguarding referral"
        )
    if report.category is Category.MEDICATION and answers.get("error_type") == "cd_discrepancy":
        reasons.append(
            "A controlled drug discrepancy: if it cannot be explained, tell the Controlled "
            "Drugs Accountable Officer"
        )
    return reasons


def reasons_for(report: Report) -> list[str]:
    """Why managers must hear about `report` now (empty when they need not be alerted)."""
    reasons = []
    answers = report.follow_up or {}
    if report.physical_harm in MODERATE_OR_WORSE or (
        report.psychological_harm in PSYCH_MODERATE_OR_WORSE
    ):
        reasons.append("Someone was harmed (moderate or worse)")
    if report.category is Category.SAFEGUARDING:
        reasons.append("A safeguarding concern was raised")
    if report.category is Category.RESTRICTIVE_PRACTICE:
        reasons.extend(_restriction_reasons(answers))
    reasons.extend(_clinical_reasons(report, answers))
    if report.physical_harm in {PhysicalHarm.SEVERE, PhysicalHarm.FATAL} or (
        report.psychological_harm is PsychologicalHarm.SEVERE
    ):
        reasons.append("It may need a duty of candour step (Regulation 20)")
    reasons.extend(cqc_reasons(report))
    return reasons


def _told_recently(user_id: int, kind: str, link: str) -> bool:
    """True when `user_id` already has an unread alert of this kind about this link from the
    last day, so a reminder sent every hour by a scheduled check does not flood anyone."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.link == link,
                Notification.read_at.is_(None),
                Notification.created_at >= utcnow() - REPEAT_AFTER,
            )
        )
        > 0
    )


def alert_managers(
    service_id: int,
    *,
    kind: str,
    headline: str,
    reasons: list[str],
    link: str,
    once_a_day: bool = False,
):
    """Tell the service's managers now, in the app and by email (which they cannot turn off)."""
    service = db.session.get(Service, service_id)
    for manager in managers_of(service_id):
        if once_a_day and _told_recently(manager.id, kind, link):
            continue
        tell(
            manager,
            kind=kind,
            message=f"{headline} at {service.name}: {'; '.join(reasons)}.",
            link=link,
            urgent=True,
            topic=EmailTopic.SAFETY_ALERT,
            subject=f"Safety alert at {service.name}: please look today",
            email_template="notifications/email/alert.txt",
            service=service,
            headline=headline,
            reasons=reasons,
        )


def _safely(handler):
    """An alert that fails must never break what the sender was doing: log it and move on.

    A handler that returns False told nobody and wrote nothing, so there is nothing to commit:
    committing anyway would expire the sender's objects (a report just sent), and the sender
    would load them again to answer its request."""

    def run(sender, **extra):
        try:
            if handler(sender, **extra) is not False:
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Could not send the alert for %r", sender)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


@_safely
def on_report_submitted(report: Report, **_extra) -> bool:
    """Alert the managers when the report needs them now; False (nothing written) when not,
    as for most reports."""
    reasons = reasons_for(report)
    if not reasons:
        return False
    link = path_for(REPORT_ENDPOINTS, report_id=report.id)
    alert_managers(
        report.service_id,
        kind="report_alert",
        headline="A report needs you",
        reasons=reasons,
        link=link,
    )
    return True


@_safely
def on_feedback_given(report: Report, **extra) -> None:
    """Thank-you or learning on a report: tell its reporter, unless the report is anonymous."""
    if report.reporter_id is None or report.anonymous or report.reporter is None:
        return
    from app.reports.mine import report_title

    what = _feedback_words(extra)
    tell(
        report.reporter,
        kind="report_feedback",
        message=f"Your {report_title(report)} from {report.occurred_on:%-d %B} has {what}.",
        link=path_for(MY_REPORT_ENDPOINTS, report_id=report.id),
        topic=EmailTopic.REPORT_FEEDBACK,
        subject="Your report has " + what,
        email_template="notifications/email/feedback.txt",
        what=what,
    )


def _feedback_words(extra: dict) -> str:
    """Reports send `thanks=` and `learning=` flags; older callers sent `feedback="thanks"`."""
    if extra.get("thanks") and extra.get("learning"):
        return "a thank-you and learning shared"
    if extra.get("learning") or extra.get("feedback") == "learning":
        return "learning shared"
    if extra.get("thanks") or extra.get("feedback") == "thanks":
        return "a thank-you"
    return "feedback"


def _record_link(record) -> str:
    return getattr(record, "url", None) or path_to("notifications.index")


def _record_label(record, fallback: str) -> str:
    named = (
        getattr(record, "label", None)
        or getattr(record, "kind", None)
        or getattr(record, "concern_type", None)
    )
    return _label(named) or fallback


@_safely
def on_restrictive_practice(record, **_extra) -> None:
    """A restrictive practice record with any flag (unplanned, prone, seclusion, capacity not
    considered, no consent, no best-interests decision) alerts the managers at once."""
    flags = list(getattr(record, "flags", None) or [])
    if flags:
        alert_managers(
            record.service_id,
            kind="restrictive_practice",
            headline="A restrictive practice needs you",
            reasons=flags,
            link=path_for(RESTRICTION_ENDPOINTS, record_id=record.id),
        )


@_safely
def on_safeguarding_concern(record, **_extra) -> None:
    alert_managers(
        record.service_id,
        kind="safeguarding",
        headline="A safeguarding concern was raised",
        reasons=[
            _record_label(record, "Safeguarding concern"),
            "CQC must be told of any abuse or allegation of abuse (Regulation 18(2)(e))",
        ],
        link=_record_link(record),
    )


@_safely
def on_escalation_overdue(record, **_extra) -> None:
    alert_managers(
        record.service_id,
        kind="escalation_overdue",
        headline="A safeguarding escalation is overdue",
        reasons=[_record_label(record, "Safeguarding escalation") + " is past its time limit"],
        link=_record_link(record),
        once_a_day=True,
    )


def connect_signals() -> None:
    """Subscribe to the events (strong references: these handlers live as long as the app)."""
    events.report_submitted.connect(on_report_submitted, weak=False)
    events.report_feedback_given.connect(on_feedback_given, weak=False)
    events.restrictive_practice_recorded.connect(on_restrictive_practice, weak=False)
    events.safeguarding_concern_raised.connect(on_safeguarding_concern, weak=False)
    events.safeguarding_escalation_overdue.connect(on_escalation_overdue, weak=False)
