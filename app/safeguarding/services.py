"""Safeguarding rules: recording restrictions, best-interests decisions, PBS reviews, concerns
and positive risk sessions. Views and a future JSON API call these; nothing here reads the request.

Every function takes the acting user, and validates before it writes. Signals are sent after
commit, with the record as sender and nothing personal in keyword arguments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, select

from app.audit import log_event
from app.auth.policy import can_see_service, in_scope
from app.events import (
    restrictive_practice_recorded,
    safeguarding_concern_raised,
    safeguarding_escalation_overdue,
)
from app.extensions import db
from app.models import (
    BestInterestsDecision,
    CapacityFinding,
    Category,
    ConcernType,
    Debrief,
    LibertyAuthorisation,
    LibertyRoute,
    LibertyStatus,
    PbsReview,
    PhysicalHarm,
    PositiveRiskSession,
    Report,
    RestraintPosition,
    RestraintType,
    RestrictivePractice,
    ReviewKind,
    SafeguardingConcern,
    Service,
    ServiceKind,
    User,
)
from app.models.base import uk_today, utcnow
from app.models.safeguarding import LIBERTY_LONGEST
from app.validation import Invalid

MAX_DURATION_MINUTES = 60 * 24 * 366
REFERENCE_MAX = 40
# Short answers the database holds in a column of this size: longer is refused with a
# message beside the box, never cut short.
APPLIED_TO_MAX = 200
ESCALATED_TO_MAX = 200
LA_REFERENCE_MAX = 80
# The same words as every other box over its limit (app.schemas.Text).
TOO_LONG = "This can be up to {max} characters. Please shorten it and send it again."


class SafeguardingInvalid(Invalid):
    """Bad input. `errors` maps a field name to a list of plain-English messages."""


@dataclass
class _Checker:
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SafeguardingInvalid(self.errors)


def escalation_hours() -> float:
    return float(current_app.config.get("SAFEGUARDING_ESCALATION_HOURS", 24))


def _reference(value: Any, check: _Checker) -> str:
    reference = (value or "").strip()
    if not reference:
        check.add("person_reference", "Enter the person's reference or initials.")
    elif len(reference) > REFERENCE_MAX:
        check.add("person_reference", f"Use {REFERENCE_MAX} characters or fewer.")
    return reference


def _service(actor: User, service_id: Any, check: _Checker) -> int | None:
    try:
        chosen = int(service_id or actor.service_id)
    except (TypeError, ValueError):
        chosen = None
    if chosen is None or not can_see_service(actor, chosen):
        check.add("service_id", "Choose one of your services.")
        return None
    return chosen


def _text(
    answers: Mapping,
    name: str,
    check: _Checker,
    message: str | None = None,
    *,
    max_length: int | None = None,
) -> str:
    """The answer trimmed; `message` when it is required and blank; refused (never cut)
    when it is longer than `max_length`."""
    value = (answers.get(name) or "").strip()
    if message and not value:
        check.add(name, message)
    if max_length is not None and len(value) > max_length:
        check.add(name, TOO_LONG.format(max=max_length))
    return value


def _enum_value(enum_class, value: Any, name: str, check: _Checker, message: str):
    try:
        return enum_class(value)
    except ValueError:
        check.add(name, message)
        return None


def _yes(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"y", "yes", "on", "true", "1"}


# ---------------------------------------------------------------- restrictive practice


# The report form's restrictive practice answers (app/reports/services.py FOLLOW_UPS), as
# stored in `report.follow_up`: the question's name as key, the choice's value as value.
REPORT_RESTRICTION_TYPES = {
    "physical_restraint": RestraintType.PHYSICAL,
    "chemical_restraint": RestraintType.CHEMICAL,
    "mechanical_restraint": RestraintType.MECHANICAL,
    "environmental_restriction": RestraintType.ENVIRONMENTAL,
    "seclusion": RestraintType.SECLUSION,
    "long-term_segregation": RestraintType.SEGREGATION,
    "informal_or_unplanned_restriction": RestraintType.INFORMAL,
}
_DURATION_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)?\b"
)


def duration_in_minutes(text: str) -> int | None:
    """Minutes from what someone typed: "5", "5 minutes", "1 hour 20 mins", "1.5 hours"."""
    total = 0.0
    found = False
    for number, unit in _DURATION_PART.findall(text.lower()):
        found = True
        value = float(number.replace(",", "."))
        total += value * 60 if unit.startswith("h") else value
    if not found:
        return None
    return max(1, round(total))


# Answers that say a restriction was not in the plan. Older reports stored False, or the key
# "planned", or described an unplanned kind in words.
NOT_IN_PLAN_ANSWERS = {"no", "false"}
UNPLANNED_WORDS = ("unplanned", "informal", "not in plan", "not_in_plan")


def restriction_described(answers: Mapping) -> RestrictivePractice:
    """An unsaved restriction with what a report's follow-up answers say about it, so the
    alert on a new report judges it by the record's own rules (RestrictivePractice.flags and
    its parts) before anyone has recorded it. What the answers do not say counts as safe."""
    kind = REPORT_RESTRICTION_TYPES.get(str(answers.get("restriction_type") or ""))
    words = f"{answers.get('restriction_type', '')} {answers.get('type', '')}".lower()
    in_plan = not any(word in words for word in UNPLANNED_WORDS) and not any(
        answers.get(key) is False or str(answers.get(key)).lower() in NOT_IN_PLAN_ANSWERS
        for key in ("in_plan", "planned")
    )
    position = answers.get("position")
    return RestrictivePractice(
        restraint_type=kind,
        in_plan=in_plan,
        position=RestraintPosition(position) if position in set(RestraintPosition) else None,
    )


def prefill_from_report(report: Report) -> dict[str, Any]:
    """Answers for a restrictive practice record, taken from a restrictive practice report.

    The report form's follow-up answers (restriction_type, duration, in_plan, tried_first:
    see Category.RESTRICTIVE_PRACTICE in app/reports/services.py FOLLOW_UPS) are used when
    present; anything unrecognised ("not sure", an unreadable duration) is left for the
    manager to fill in.
    """
    follow_up = report.follow_up or {}
    started = report.occurred_at or datetime.combine(report.occurred_on, time(12), tzinfo=UTC)
    answers: dict[str, Any] = {
        "person_reference": report.person_reference or "",
        "what_happened": report.description,
        "started_at": started,
        "injury": report.physical_harm not in (None, PhysicalHarm.NONE),
        "service_id": report.service_id,
    }
    kind = REPORT_RESTRICTION_TYPES.get(str(follow_up.get("restriction_type") or ""))
    if kind is not None:
        answers["restraint_type"] = kind.value
    minutes = duration_in_minutes(str(follow_up.get("duration") or ""))
    if minutes is not None and minutes <= MAX_DURATION_MINUTES:
        answers["duration_minutes"] = minutes
    in_plan = str(follow_up.get("in_plan") or "")
    if in_plan in {"yes", "no"}:
        answers["in_plan"] = in_plan
    if kind is RestraintType.PHYSICAL and follow_up.get("position") in set(RestraintPosition):
        answers["position"] = str(follow_up["position"])
    if follow_up.get("tried_first"):
        answers["tried_first"] = str(follow_up["tried_first"])
    return answers


def _restriction_fields(answers: Mapping, check: _Checker, service_id: int | None):
    restraint_type = _enum_value(
        RestraintType,
        answers.get("restraint_type"),
        "restraint_type",
        check,
        "Choose the kind of restriction.",
    )
    position = None
    if restraint_type is RestraintType.PHYSICAL:
        position = _enum_value(
            RestraintPosition,
            answers.get("position"),
            "position",
            check,
            "Choose the position used for physical restraint.",
        )
    started_at = answers.get("started_at")
    if not isinstance(started_at, datetime):
        check.add("started_at", "Enter when the restriction started.")
    elif started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    elif started_at > utcnow() + timedelta(minutes=5):
        check.add("started_at", "The start cannot be in the future.")
    duration = answers.get("duration_minutes")
    try:
        duration = int(duration)
    except (TypeError, ValueError):
        duration = None
    if duration is None or duration < 0 or duration > MAX_DURATION_MINUTES:
        check.add("duration_minutes", "Enter how long it lasted, in minutes (0 or more).")
    in_plan_answer = str(answers.get("in_plan") or "").lower()
    if in_plan_answer not in {"yes", "no"}:
        check.add("in_plan", "Say whether it was in the person's support or PBS plan.")
    in_plan = in_plan_answer == "yes"
    if restraint_type is RestraintType.INFORMAL and in_plan:
        check.add(
            "in_plan",
            "An informal restriction is not in any plan. Answer No, or choose the planned kind.",
        )
    capacity = _enum_value(
        CapacityFinding,
        answers.get("capacity"),
        "capacity",
        check,
        "Say whether the person's capacity was considered.",
    )
    consented = None
    if capacity is CapacityFinding.HAS_CAPACITY:
        consent_answer = str(answers.get("consented") or "").lower()
        if consent_answer not in {"yes", "no"}:
            check.add("consented", "Say whether the person, who has capacity, agreed to it.")
        consented = consent_answer == "yes"
    injury = _yes(answers.get("injury"))
    injury_details = (answers.get("injury_details") or "").strip()
    if injury and not injury_details:
        check.add("injury_details", "Say briefly what the injury was.")
    best_interests = None
    bi_id = answers.get("best_interests_id")
    if bi_id not in (None, "", "0", 0):
        best_interests = db.session.get(BestInterestsDecision, int(bi_id))
        reference = (answers.get("person_reference") or "").strip()
        if (
            best_interests is None
            or best_interests.service_id != service_id
            or best_interests.person_reference != reference
        ):
            check.add("best_interests_id", "Choose a best-interests decision for this person.")
            best_interests = None
        elif restraint_type is not None and (
            other := _decision_used_for_another_kind(best_interests, restraint_type)
        ):
            check.add("best_interests_id", _decision_specific_message(other))
            best_interests = None
    return {
        "restraint_type": restraint_type,
        "position": position,
        "what_happened": (answers.get("what_happened") or "").strip(),
        "started_at": started_at,
        "duration_minutes": duration,
        "in_plan": in_plan,
        "tried_first": (answers.get("tried_first") or "").strip(),
        "capacity": capacity,
        "consented": consented,
        "best_interests_id": best_interests.id if best_interests else None,
        "injury": injury,
        "injury_details": injury_details if injury else "",
        "debrief_offered_person": _yes(answers.get("debrief_offered_person")),
        "debrief_offered_staff": _yes(answers.get("debrief_offered_staff")),
        "review_needed": _yes(answers.get("review_needed")),
    }


def _decision_used_for_another_kind(
    decision: BestInterestsDecision, kind: RestraintType
) -> RestraintType | None:
    """Best-interests decisions are decision-specific (MCA 2005 s.1-4; Code ch. 5): one made
    for one kind of restriction cannot cover another."""
    return db.session.scalars(
        select(RestrictivePractice.restraint_type)
        .where(
            RestrictivePractice.best_interests_id == decision.id,
            RestrictivePractice.restraint_type != kind,
        )
        .limit(1)
    ).first()


def _decision_specific_message(other: RestraintType) -> str:
    return (
        f"That decision was made for {other.short_label.lower()}. Best-interests decisions "
        "are decision-specific: record one for this restriction."
    )


def record_restriction(
    actor: User, answers: Mapping[str, Any], *, report: Report | None = None
) -> RestrictivePractice:
    """Create a restrictive practice record, from `report` when given. Supervisors and up."""
    check = _Checker()
    if report is not None:
        if report.category is not Category.RESTRICTIVE_PRACTICE:
            check.add("report_id", "That report is not about restrictive practice.")
        elif db.session.scalar(select(exists().where(RestrictivePractice.report_id == report.id))):
            check.add("report_id", "That report already has a restrictive practice record.")
        service_id = report.service_id
    else:
        service_id = _service(actor, answers.get("service_id"), check)
    reference = _reference(answers.get("person_reference"), check)
    values = _restriction_fields(answers, check, service_id)
    check.raise_if_any()
    record = RestrictivePractice(
        service_id=service_id,
        report_id=report.id if report else None,
        person_reference=reference,
        recorded_by_id=actor.id,
        **values,
    )
    db.session.add(record)
    db.session.flush()
    log_event(
        "restrictive_practice.recorded",
        record,
        summary={
            "type": record.restraint_type.value,
            "report_id": record.report_id,
            "flags": len(record.flags),
        },
    )
    db.session.commit()
    restrictive_practice_recorded.send(record)
    return record


def update_restriction(
    actor: User, record: RestrictivePractice, answers: Mapping[str, Any]
) -> RestrictivePractice:
    check = _Checker()
    reference = _reference(answers.get("person_reference"), check)
    values = _restriction_fields(answers, check, record.service_id)
    check.raise_if_any()
    before = record.flags
    record.person_reference = reference
    for name, value in values.items():
        setattr(record, name, value)
    log_event(
        "restrictive_practice.updated",
        record,
        summary={"flags_before": len(before), "flags_after": len(record.flags)},
    )
    db.session.commit()
    return record


def link_best_interests(record: RestrictivePractice, decision: BestInterestsDecision) -> None:
    if (
        decision.service_id != record.service_id
        or decision.person_reference != record.person_reference
    ):
        raise SafeguardingInvalid(
            {"best_interests_id": ["Choose a best-interests decision for this person."]}
        )
    if other := _decision_used_for_another_kind(decision, record.restraint_type):
        raise SafeguardingInvalid({"best_interests_id": [_decision_specific_message(other)]})
    record.best_interests_id = decision.id
    log_event(
        "restrictive_practice.best_interests_linked",
        record,
        summary={"best_interests_id": decision.id},
    )
    db.session.commit()


# ---------------------------------------------------------------- best interests

BEST_INTERESTS_TEXT = {
    "decision": "Describe the decision.",
    "capacity_assessment": "Say what the capacity assessment found.",
    "regain_capacity": "Say whether they could regain capacity, and whether it can wait.",
    "person_involvement": "Say how the person took part.",
    "wishes_and_values": "Describe their past and present wishes, beliefs and values.",
    "consulted": "Say who was consulted.",
    "least_restrictive_option": "Say which least restrictive option was chosen.",
}


def record_best_interests(actor: User, answers: Mapping[str, Any]) -> BestInterestsDecision:
    """A best-interests decision for one person. Managers and up."""
    check = _Checker()
    service_id = _service(actor, answers.get("service_id"), check)
    reference = _reference(answers.get("person_reference"), check)
    texts = {name: _text(answers, name, check, msg) for name, msg in BEST_INTERESTS_TEXT.items()}
    decided_on = answers.get("decided_on")
    review_on = answers.get("review_on")
    if not isinstance(decided_on, date):
        check.add("decided_on", "Enter the date of the decision.")
    elif decided_on > uk_today():
        check.add("decided_on", "The decision date cannot be in the future.")
    if not isinstance(review_on, date):
        check.add("review_on", "Enter when the decision will be reviewed.")
    elif isinstance(decided_on, date) and review_on <= decided_on:
        check.add("review_on", "The review date must be after the decision date.")
    check.raise_if_any()
    decision = BestInterestsDecision(
        service_id=service_id,
        person_reference=reference,
        decided_on=decided_on,
        review_on=review_on,
        recorded_by_id=actor.id,
        **texts,
    )
    db.session.add(decision)
    db.session.flush()
    log_event("best_interests.recorded", decision, summary={"review_on": review_on})
    db.session.commit()
    return decision


# ---------------------------------------------------------------- PBS reviews


def record_review(
    actor: User, service_id: int, person_reference: str, answers: Mapping[str, Any]
) -> PbsReview:
    """A PBS plan or risk assessment review, linking the reports about the person and the
    debriefs of the same service it drew on. Managers and up."""
    check = _Checker()
    if not can_see_service(actor, service_id):
        check.add("service_id", "Choose one of your services.")
    kind = _enum_value(ReviewKind, answers.get("kind"), "kind", check, "Choose what was reviewed.")
    what_changed = _text(answers, "what_changed", check, "Say what changed, or that nothing did.")
    reviewed_on = answers.get("reviewed_on")
    next_review_on = answers.get("next_review_on")
    if not isinstance(reviewed_on, date):
        check.add("reviewed_on", "Enter the date of the review.")
    elif reviewed_on > uk_today():
        check.add("reviewed_on", "The review date cannot be in the future.")
    if not isinstance(next_review_on, date):
        check.add("next_review_on", "Enter when the next review is due.")
    elif isinstance(reviewed_on, date) and next_review_on <= reviewed_on:
        check.add("next_review_on", "The next review must be after this one.")
    report_ids = [int(i) for i in answers.get("report_ids") or []]
    reports = []
    if report_ids:
        reports = list(
            db.session.scalars(
                select(Report).where(
                    Report.id.in_(report_ids),
                    Report.service_id == service_id,
                    Report.person_reference == person_reference,
                )
            )
        )
        if len(reports) != len(set(report_ids)):
            check.add("report_ids", "Choose reports about this person only.")
    debrief_ids = [int(i) for i in answers.get("debrief_ids") or []]
    debriefs = []
    if debrief_ids:
        debriefs = list(
            db.session.scalars(
                select(Debrief).where(Debrief.id.in_(debrief_ids), Debrief.service_id == service_id)
            )
        )
        if len(debriefs) != len(set(debrief_ids)):
            check.add("debrief_ids", "Choose debriefs from this service only.")
    check.raise_if_any()
    review = PbsReview(
        service_id=service_id,
        person_reference=person_reference,
        kind=kind,
        reviewed_on=reviewed_on,
        next_review_on=next_review_on,
        what_changed=what_changed,
        recorded_by_id=actor.id,
        reports=reports,
        debriefs=debriefs,
    )
    db.session.add(review)
    db.session.flush()
    log_event(
        "pbs_review.recorded",
        review,
        summary={
            "kind": kind.value,
            "reports": [r.id for r in reports],
            "debriefs": [d.id for d in debriefs],
        },
    )
    db.session.commit()
    return review


# ---------------------------------------------------------------- safeguarding concerns


def _aware(value: Any, name: str, check: _Checker, *, not_before: datetime | None = None):
    if value in (None, ""):
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        check.add(name, "Enter a date and time.")
        return None
    if value > utcnow() + timedelta(minutes=5):
        check.add(name, "This cannot be in the future.")
    if not_before and value < not_before:
        check.add(name, "This cannot be before the concern was raised.")
    return value


def raise_concern(
    actor: User, answers: Mapping[str, Any], *, report: Report | None = None
) -> SafeguardingConcern:
    """Record a safeguarding concern (from a report when given). Managers and up.

    The clock for escalation starts when the concern was first reported: the report's time.
    """
    check = _Checker()
    if report is not None:
        if db.session.scalar(select(exists().where(SafeguardingConcern.report_id == report.id))):
            check.add("report_id", "That report already has a safeguarding concern.")
        service_id = report.service_id
        raised_at = report.created_at
    else:
        service_id = _service(actor, answers.get("service_id"), check)
        raised_at = _aware(answers.get("raised_at"), "raised_at", check) or utcnow()
    reference = _reference(answers.get("person_reference"), check)
    concern_type = _enum_value(
        ConcernType,
        answers.get("concern_type"),
        "concern_type",
        check,
        "Choose the kind of concern.",
    )
    what_happened = _text(answers, "what_happened", check, "Say what the concern is.")
    check.raise_if_any()
    concern = SafeguardingConcern(
        service_id=service_id,
        report_id=report.id if report else None,
        person_reference=reference,
        concern_type=concern_type,
        what_happened=what_happened,
        raised_at=raised_at,
        recorded_by_id=actor.id,
    )
    db.session.add(concern)
    db.session.flush()
    log_event("safeguarding_concern.raised", concern, summary={"type": concern_type.value})
    db.session.commit()
    safeguarding_concern_raised.send(concern)
    return concern


def update_concern(
    actor: User, concern: SafeguardingConcern, answers: Mapping[str, Any]
) -> SafeguardingConcern:
    """Record the escalation (who, when, their reference), the CQC notification and the outcome."""
    check = _Checker()
    escalated_at = _aware(
        answers.get("escalated_at"), "escalated_at", check, not_before=concern.raised_at
    )
    escalated_to = _text(answers, "escalated_to", check, max_length=ESCALATED_TO_MAX)
    la_reference = _text(answers, "la_reference", check, max_length=LA_REFERENCE_MAX)
    if escalated_at and not escalated_to:
        check.add("escalated_to", "Say who at the local authority you told.")
    if escalated_to and not escalated_at:
        check.add("escalated_at", "Enter when you told the local authority.")
    cqc_notified_at = _aware(
        answers.get("cqc_notified_at"), "cqc_notified_at", check, not_before=concern.raised_at
    )
    outcome = (answers.get("outcome") or "").strip()
    if outcome and cqc_notified_at is None:
        check.add(
            "cqc_notified_at",
            "CQC must be told of any abuse or allegation of abuse (Regulation 18(2)(e)). "
            "Enter when the notification was sent.",
        )
    check.raise_if_any()
    changes = []
    if escalated_at != concern.escalated_at:
        changes.append("escalated")
    if cqc_notified_at != concern.cqc_notified_at:
        changes.append("cqc_notified")
    if outcome != concern.outcome:
        changes.append("outcome")
    concern.escalated_at = escalated_at
    concern.escalated_to = escalated_to
    concern.la_reference = la_reference
    concern.cqc_notified_at = cqc_notified_at
    concern.outcome = outcome
    hours = concern.time_to_escalation.total_seconds() / 3600 if escalated_at else None
    log_event(
        "safeguarding_concern.updated",
        concern,
        summary={"changes": changes, "hours_to_escalation": hours and round(hours, 1)},
    )
    db.session.commit()
    return concern


def overdue_concerns(user_or_service_ids, now: datetime | None = None, hours: float | None = None):
    """Concerns raised more than `hours` ago and still not escalated, oldest first.

    Pass a user (their scope) or an iterable/subquery of service ids.
    """
    now = now or utcnow()
    hours = escalation_hours() if hours is None else hours
    if isinstance(user_or_service_ids, User):
        scope = in_scope(user_or_service_ids, SafeguardingConcern.service_id)
    else:
        scope = SafeguardingConcern.service_id.in_(user_or_service_ids)
    return list(
        db.session.scalars(
            select(SafeguardingConcern)
            .where(
                scope,
                SafeguardingConcern.escalated_at.is_(None),
                SafeguardingConcern.raised_at < now - timedelta(hours=hours),
            )
            .order_by(SafeguardingConcern.raised_at)
        )
    )


def alert_overdue_escalations(*, again: bool = False, now: datetime | None = None) -> int:
    """Send `safeguarding_escalation_overdue` for each overdue concern; return how many.

    Each concern is alerted once (remembered in `overdue_alerted_at`) unless `again`.
    """
    now = now or utcnow()
    hours = escalation_hours()
    query = select(SafeguardingConcern).where(
        SafeguardingConcern.escalated_at.is_(None),
        SafeguardingConcern.raised_at < now - timedelta(hours=hours),
    )
    if not again:
        query = query.where(SafeguardingConcern.overdue_alerted_at.is_(None))
    concerns = list(db.session.scalars(query.order_by(SafeguardingConcern.raised_at)))
    for concern in concerns:
        concern.overdue_alerted_at = now
        log_event(
            "safeguarding_concern.overdue_alerted",
            concern,
            actor=None,
            summary={"hours_outstanding": round((now - concern.raised_at).total_seconds() / 3600)},
        )
    db.session.commit()
    for concern in concerns:
        safeguarding_escalation_overdue.send(
            concern, hours_outstanding=round((now - concern.raised_at).total_seconds() / 3600)
        )
    return len(concerns)


# ---------------------------------------------------------------- DoLS and Court of Protection

LIBERTY_ROUTE_ERRORS = {
    "not_care_home": (
        "DoLS covers care homes and hospitals only. In supported living or at home, a "
        "deprivation of liberty needs a Court of Protection order, normally applied for by "
        "the council or ICB that commissions the care."
    ),
    "under_18": (
        "DoLS is for people aged 18 or over. For a 16 or 17 year old, the Court of "
        "Protection decides."
    ),
}


def _day(value: Any, name: str, check: _Checker, today: date, *, required: str | None = None):
    if value in (None, ""):
        if required:
            check.add(name, required)
        return None
    if not isinstance(value, date):
        check.add(name, "Enter a date.")
        return None
    return value


def _liberty_fields(answers: Mapping, check: _Checker, service: Service | None, today: date):
    """The rules of the register (Mental Capacity Act 2005, Schedule A1 and s.16; CQC
    Registration Regulations 2009, 18(2)(c)-(d)). See docs/sources.md."""
    route = _enum_value(
        LibertyRoute, answers.get("route"), "route", check, "Choose DoLS or Court of Protection."
    )
    adult = _yes(answers.get("aged_18_or_over"))
    if route is not None and route.is_dols:
        if service is not None and service.kind is not ServiceKind.CARE_HOME:
            check.add("route", LIBERTY_ROUTE_ERRORS["not_care_home"])
        if not adult:
            check.add("aged_18_or_over", LIBERTY_ROUTE_ERRORS["under_18"])
    status = _enum_value(
        LibertyStatus,
        answers.get("status") or LibertyStatus.APPLIED.value,
        "status",
        check,
        "Choose where the application is.",
    )
    applied_on = _day(
        answers.get("applied_on"), "applied_on", check, today, required="Enter the date applied."
    )
    if applied_on and applied_on > today:
        check.add("applied_on", "This cannot be in the future.")
    applied_to = _text(
        answers,
        "applied_to",
        check,
        "Say who it went to (the council, or the court).",
        max_length=APPLIED_TO_MAX,
    )
    outcome_on = _day(answers.get("outcome_on"), "outcome_on", check, today)
    expires_on = _day(answers.get("expires_on"), "expires_on", check, today)
    cqc_notified_on = _day(answers.get("cqc_notified_on"), "cqc_notified_on", check, today)
    if status is not None and status is not LibertyStatus.APPLIED and outcome_on is None:
        check.add("outcome_on", "Enter the date of the outcome.")
    if outcome_on and (outcome_on > today or (applied_on and outcome_on < applied_on)):
        check.add("outcome_on", "The outcome date must be between the application and today.")
    if status is LibertyStatus.AUTHORISED:
        if expires_on is None:
            check.add("expires_on", "Enter when the authorisation ends.")
        elif outcome_on and expires_on <= outcome_on:
            check.add("expires_on", "The end must be after the outcome date.")
        elif (
            outcome_on
            and route in LIBERTY_LONGEST
            and expires_on - outcome_on > (LIBERTY_LONGEST[route])
        ):
            longest = (
                "14 days (7, extended once by 7)"
                if route is LibertyRoute.DOLS_URGENT
                else "one year"
            )
            check.add("expires_on", f"This kind of authorisation lasts at most {longest}.")
    if cqc_notified_on and (
        cqc_notified_on > today or (outcome_on and cqc_notified_on < outcome_on)
    ):
        check.add(
            "cqc_notified_on", "CQC is told of the outcome: a date from the outcome to today."
        )
    return {
        "route": route,
        "aged_18_or_over": adult,
        "status": status,
        "applied_on": applied_on,
        "applied_to": applied_to,
        "outcome_on": outcome_on,
        "expires_on": expires_on if status is LibertyStatus.AUTHORISED else None,
        "conditions": (answers.get("conditions") or "").strip(),
        "cqc_notified_on": cqc_notified_on,
    }


def record_liberty(actor: User, answers: Mapping[str, Any], *, today: date | None = None):
    """A new entry on the DoLS / Court of Protection register. Managers and up."""
    today = today or uk_today()
    check = _Checker()
    service_id = _service(actor, answers.get("service_id"), check)
    service = db.session.get(Service, service_id) if service_id else None
    reference = _reference(answers.get("person_reference"), check)
    values = _liberty_fields(answers, check, service, today)
    check.raise_if_any()
    record = LibertyAuthorisation(
        service_id=service_id, person_reference=reference, recorded_by_id=actor.id, **values
    )
    db.session.add(record)
    db.session.flush()
    log_event(
        "liberty.recorded",
        record,
        summary={"route": record.route.value, "status": record.status.value},
    )
    db.session.commit()
    return record


def update_liberty(
    actor: User,
    record: LibertyAuthorisation,
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
):
    """The outcome, expiry, conditions and CQC notification of a register entry."""
    today = today or uk_today()
    check = _Checker()
    values = _liberty_fields(answers, check, record.service, today)
    check.raise_if_any()
    before = record.status
    for name, value in values.items():
        setattr(record, name, value)
    log_event(
        "liberty.updated",
        record,
        summary={
            "from": before.value,
            "to": record.status.value,
            "cqc": bool(record.cqc_notified_on),
        },
    )
    db.session.commit()
    return record


# ---------------------------------------------------------------- positive risk-taking

POSITIVE_RISK_TEMPLATE = {
    "person_wanted": ("What did the person want?", "In their words where you can."),
    "risks": ("What were the risks?", "To them and to others, and how likely."),
    "least_restrictive_option": (
        "What was the least restrictive option?",
        "What let them do what they wanted as safely as we could.",
    ),
    "next_time": ("What would we try next time?", "Small changes count."),
}


def record_risk_session(actor: User, answers: Mapping[str, Any]) -> PositiveRiskSession:
    """A group positive risk-taking reflection for one person. Supervisors and up."""
    check = _Checker()
    service_id = _service(actor, answers.get("service_id"), check)
    reference = _reference(answers.get("person_reference"), check)
    attendees = _text(answers, "attendees", check, "Say who took part.")
    texts = {
        name: _text(answers, name, check, "Write a few words here.")
        for name in POSITIVE_RISK_TEMPLATE
    }
    held_on = answers.get("held_on")
    if not isinstance(held_on, date):
        check.add("held_on", "Enter the date of the session.")
    elif held_on > uk_today():
        check.add("held_on", "The session date cannot be in the future.")
    restriction_id = answers.get("restrictive_practice_id")
    if restriction_id not in (None, "", 0, "0"):
        restriction = db.session.get(RestrictivePractice, int(restriction_id))
        if restriction is None or restriction.service_id != service_id:
            check.add("restrictive_practice_id", "Choose a restriction in this service.")
            restriction_id = None
    else:
        restriction_id = None
    check.raise_if_any()
    session = PositiveRiskSession(
        service_id=service_id,
        person_reference=reference,
        restrictive_practice_id=int(restriction_id) if restriction_id else None,
        held_on=held_on,
        attendees=attendees,
        facilitator_id=actor.id,
        **texts,
    )
    db.session.add(session)
    db.session.flush()
    log_event("positive_risk_session.recorded", session)
    db.session.commit()
    return session
