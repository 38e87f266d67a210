"""The rules for reports: submitting (one place for the HTML form and the offline API),
repeats, receipt codes, the manager's review, and thanks and learning for the reporter.

Who sees what: staff see their own named reports; managers see every report of their
service; admins every report of their organisation. Nobody ever sees who sent an
anonymous report, because nothing about them is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from marshmallow import ValidationError
from sqlalchemy import select

from app.audit import log_event
from app.events import report_feedback_given, report_status_changed, report_submitted
from app.extensions import db
from app.governance import rollups
from app.models import User, utcnow
from app.models.base import UK
from app.models.reports import (
    Action,
    CandourStep,
    Category,
    CqcNotification,
    Factor,
    HeldReport,
    PhysicalHarm,
    Report,
    ReportStatus,
)
from app.reports import anonymity, just_culture
from app.reports.follow_ups import FOLLOW_UPS as FOLLOW_UPS  # named here by safeguarding
from app.reports.risk import by_risk
from app.reports.schemas import (
    DESCRIPTION_MAX,
    FOLLOW_UP_PREFIX,
    RECEIPT_ALPHABET,
    RECEIPT_CODE_MESSAGE,
    RECEIPT_LENGTH,
    RECEIPT_PATTERN,
    TEXT_MAX,
    ReportBody,
    ReportFormBody,
    too_long,
)
from app.reports.schemas import is_yes as is_yes  # the sign-in page reads the same checkbox
from app.schemas import flat_errors
from app.sync import payload_hash as fingerprint_of
from app.sync import save_once
from app.validation import Invalid

DEFAULT_REPEAT_DAYS = 30


class ReportInvalid(Invalid):
    """A report's answers that cannot be saved as they are."""


class ReceiptCodeInvalid(Invalid):
    """A receipt code made on the device does not have the shape of ours, or is in use."""

    def __init__(self, message: str):
        super().__init__(message, field="receipt_code")


@dataclass
class SubmissionResult:
    # The stored report; for an anonymous report still held for release, an unsaved copy of
    # its answers (no number, no time) for the thank-you page.
    report: Report
    # Anonymous reports only: the code on the first sending, and on every resend that
    # carries the same code (the device's or the web form's). None when it cannot be shown.
    receipt_code: str | None
    created: bool  # False when this client_id + same body was already stored
    held: bool = False  # an anonymous report waiting for its release to managers


def repeat_window_days() -> int:
    if has_app_context():
        return int(current_app.config.get("REPORT_REPEAT_DAYS", DEFAULT_REPEAT_DAYS))
    return DEFAULT_REPEAT_DAYS


# Sent with the answers but not part of them: a resend whose answers are the same is the
# same report whatever these say (the receipt code is checked against its hash instead).
NOT_ANSWERS = frozenset({"csrf_token", "receipt_code", "written_by"})


def payload_hash(answers: Mapping[str, Any]) -> str:
    """A fingerprint of what was sent, to tell a retry from a different report. A `follow_up`
    object counts as the form's `follow_up_<name>` fields, as the API has always hashed it."""
    answers = dict(answers)
    if isinstance(follow_up := answers.get("follow_up"), Mapping):
        del answers["follow_up"]
        for name, value in follow_up.items():
            answers.setdefault(f"{FOLLOW_UP_PREFIX}{name}", value)
    relevant = {
        key: (str(value).strip() if not isinstance(value, bool) else value)
        for key, value in answers.items()
        if key not in NOT_ANSWERS and value not in (None, "")
    }
    if "anonymous" in relevant:
        relevant["anonymous"] = is_yes(relevant["anonymous"])
    return fingerprint_of(relevant)


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def checked_receipt_code(code: Any) -> str | None:
    """A receipt code made on the device or in the web form, in new_receipt_code()'s shape
    exactly; None when none was sent. Raises ReceiptCodeInvalid otherwise."""
    if code is None or code == "":
        return None
    if not isinstance(code, str) or not RECEIPT_PATTERN.match(code):
        raise ReceiptCodeInvalid(RECEIPT_CODE_MESSAGE)
    return code


def receipt_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def find_by_receipt(code: str) -> Report | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalars(
        select(Report).where(Report.receipt_hash == receipt_hash(code))
    ).first()


def is_held(code: str) -> bool:
    """Whether the code belongs to an anonymous report still waiting for its release."""
    if not code or len(code) > 64:
        return False
    return anonymity.held_for_receipt(receipt_hash(code)) is not None


def find_repeat(service_id: int, person_reference: str | None, category, now: datetime):
    """The latest report about the same person and category within the repeat window."""
    if not person_reference:
        return None
    since = now - timedelta(days=repeat_window_days())
    return db.session.scalars(
        select(Report)
        .where(
            Report.service_id == service_id,
            Report.person_reference == person_reference,
            Report.category == category,
            Report.created_at >= since,
        )
        .order_by(Report.created_at.desc())
        .limit(1)
    ).first()


def _stored_for(client_id: str) -> Report | HeldReport | None:
    stored = db.session.scalars(select(Report).where(Report.client_id == client_id)).first()
    return stored or anonymity.held_for_client(client_id)


def _sent_by(reporter: User):
    """Whether a stored report is `reporter`'s own: an anonymous one answers anyone who sends
    the same answers (nothing ties it to a person), a named one only its reporter."""

    def same_writer(stored: Report | HeldReport) -> bool:
        return (
            isinstance(stored, HeldReport) or stored.anonymous or stored.reporter_id == reporter.id
        )

    return same_writer


def _replay(stored: Report | HeldReport, receipt_code: str | None) -> SubmissionResult:
    """The answer to a resend of a stored report (already checked by `save_once`)."""
    held = isinstance(stored, HeldReport)
    anonymous = held or stored.anonymous
    # The code comes back only when the resend carries it: we keep its hash, never the code.
    code = (
        receipt_code
        if anonymous and receipt_code and receipt_hash(receipt_code) == stored.receipt_hash
        else None
    )
    report = anonymity.preview(stored) if held else stored
    return SubmissionResult(report=report, receipt_code=code, created=False, held=held)


def _receipt_in_use(digest: str) -> bool:
    """Whether a report, held or released, already has this receipt code (a device that sent
    one code with two drafts): two reports must never answer one code."""
    released = db.session.scalar(select(Report.id).where(Report.receipt_hash == digest))
    return released is not None or anonymity.held_for_receipt(digest) is not None


def _hold_anonymous(
    reporter: User,
    values: dict,
    *,
    receipt_code: str | None,
    client_id: str | None,
    fingerprint: str,
    now,
) -> SubmissionResult:
    """Keep an anonymous report for release (app/reports/anonymity.py): nothing a manager
    can see changes now, and the request leaves no trace of the sender."""
    if receipt_code and _receipt_in_use(receipt_hash(receipt_code)):
        raise ReceiptCodeInvalid("This receipt code is already in use. Make a new one.")
    code = receipt_code or new_receipt_code()
    held = anonymity.hold(
        reporter.service_id,
        values,
        receipt_hash=receipt_hash(code),
        client_id=client_id or None,
        payload_hash=fingerprint,
        now=now,
    )
    db.session.commit()  # an IntegrityError: a resend racing this one, or a code in use
    return SubmissionResult(
        report=anonymity.preview(held), receipt_code=code, created=True, held=True
    )


def submit_report(
    reporter: User,
    answers: Mapping[str, Any],
    *,
    client_id: str | None = None,
    device_time: datetime | None = None,
    channel: str = "web",
    schema: type[ReportBody] = ReportFormBody,
) -> SubmissionResult:
    """Check and save a report for `reporter`'s service.

    The answers are loaded through `schema`: the form's strings (`ReportFormBody`, the
    default) or the API's JSON (`ReportBody`), one set of rules either way; what does not fit
    raises ReportInvalid, field by field. A named report is stored, audited and announced
    now. An anonymous report keeps no reporter id and nothing else about the person, and is
    held for release (anonymity.py); its receipt code is the one made on the device or in
    the web form when one came (`receipt_code` among the answers), otherwise made here, and
    only its hash is stored.
    """
    now = utcnow()
    values = _checked_body(answers, schema(now=now))
    receipt_code = values.pop("receipt_code")
    fingerprint = payload_hash(answers)
    client_id = str(client_id).strip()[:36] if client_id else None

    def save() -> SubmissionResult:
        return _save_report(
            reporter, values, client_id, fingerprint, device_time, channel, receipt_code, now
        )

    result, created = save_once(
        client_id, fingerprint, find=_stored_for, same_writer=_sent_by(reporter), save=save
    )
    if not created:
        return _replay(result, receipt_code)
    if not result.held:
        report_submitted.send(result.report)
    return result


def _checked_body(answers: Mapping[str, Any], schema: ReportBody) -> dict:
    """The report's values as `schema` loads them, or ReportInvalid with what to fix."""
    try:
        return schema.load(answers)
    except ValidationError as error:
        raise ReportInvalid(flat_errors(error.messages)) from None


def _save_report(
    reporter: User,
    values: dict,
    client_id: str | None,
    fingerprint: str,
    device_time: datetime | None,
    channel: str,
    receipt_code: str | None,
    now: datetime,
) -> SubmissionResult:
    """Save a new report (held, when anonymous), and commit."""
    values = dict(values)
    anonymous = values.pop("anonymous")
    if anonymous:
        return _hold_anonymous(
            reporter,
            values,
            receipt_code=receipt_code,
            client_id=client_id,
            fingerprint=fingerprint,
            now=now,
        )
    report = Report(
        **values,
        id=anonymity.unused_report_id(),
        service_id=reporter.service_id,
        reporter_id=reporter.id,
        anonymous=False,
        receipt_hash=None,
        status=ReportStatus.NEW,
        created_at=now,
        device_time=device_time,
        client_id=client_id or None,
        payload_hash=fingerprint,
        contributory_factors=[],
        candour_steps={},
    )
    if earlier := find_repeat(
        reporter.service_id, values["person_reference"], values["category"], now
    ):
        report.is_repeat = True
        report.repeat_of_id = earlier.id
    db.session.add(report)
    rollups.count_new([report])  # flushes the report first
    log_event("report.submitted", report, summary=report.audit_summary(), channel=channel)
    db.session.commit()
    return SubmissionResult(report=report, receipt_code=None, created=True)


# ---- the reporter's side -------------------------------------------------------------


def my_reports(user: User) -> list[Report]:
    """Named reports `user` sent, newest first (anonymous ones are not linked to anyone)."""
    return list(
        db.session.scalars(
            select(Report).where(Report.reporter_id == user.id).order_by(Report.created_at.desc())
        )
    )


def mark_feedback_read(reports: list[Report]) -> None:
    now = utcnow()
    changed = False
    for report in reports:
        if report.has_new_feedback:
            report.feedback_read_at = now
            changed = True
    if changed:
        db.session.commit()


def timeline(report: Report) -> list[tuple[str, datetime | None]]:
    """sent → seen by manager → thank-you → learning shared → closed."""
    return [
        ("Sent", report.created_at),
        ("Seen by a manager", report.seen_at),
        ("Thank-you", report.thanked_at),
        ("Learning shared", report.learning_shared_at),
        ("Closed", report.closed_at),
    ]


# ---- the manager's side --------------------------------------------------------------


def mark_seen(report: Report) -> None:
    """The first time a manager opens a report, the reporter's timeline shows it was seen."""
    if report.seen_at is None:
        report.seen_at = utcnow()
        log_event("report.seen", report)
        db.session.commit()


def set_status(report: Report, status: ReportStatus) -> bool:
    """Change the status (flushed, not committed, the rollups recounted); True when it changed."""
    if report.status is status:
        return False
    previous = report.status
    report.status = status
    report.closed_at = utcnow() if status is ReportStatus.CLOSED else None
    rollups.recount([report])
    log_event("report.status_changed", report, summary={"from": previous.value, "to": status.value})
    return True


@dataclass
class Review:
    status: ReportStatus
    contributory_factors: list[str]
    learning_outcome: str | None
    debrief_needed: bool | None
    candour_applies: str | None
    candour_steps: dict[str, str]
    cqc_notifications: dict[str, date | None]  # every notification ticked -> date sent
    safeguarding_referred_on: date | None
    just_culture_outcome: str | None
    just_culture_note: str | None
    learning_disability_or_autism: bool | None = None
    just_culture_answers: dict[str, str] = field(default_factory=dict)
    just_culture_route: dict[str, date] = field(default_factory=dict)


def _review_errors(report: Report, review: Review, today: date) -> dict[str, list[str]]:
    """The review's rules: CQC notifications that are never optional must be sent (with the
    date) before the report is closed; no date in the future; the just culture guide's
    deliberate harm test decides its route."""
    errors = just_culture.answer_errors(review.just_culture_answers, review.just_culture_outcome)
    for kind, sent in review.cqc_notifications.items():
        if sent and sent > today:
            errors.setdefault(f"cqc_{kind}_sent_on", []).append("This cannot be in the future.")
    if review.status is ReportStatus.CLOSED:
        pending = Report(
            category=report.category,
            physical_harm=report.physical_harm,
            follow_up=report.follow_up,
            cqc_notifications={k: v for k, v in review.cqc_notifications.items()},
            learning_disability_or_autism=review.learning_disability_or_autism,
        )
        for kind in pending.notifications_missing():
            errors.setdefault(f"cqc_{kind.value}_sent_on", []).append(
                f"Before closing: {kind.label}. Enter the date it was sent."
            )
    return errors


def save_review(report: Report, review: Review, *, today: date | None = None) -> None:
    """Record the manager's review; the status change sends its signal after commit.

    Raises ReportInvalid when a rule in `_review_errors` is broken; nothing is saved then.
    """
    today = today or utcnow().astimezone(UK).date()
    if errors := _review_errors(report, review, today):
        raise ReportInvalid(errors)
    factors = [f for f in review.contributory_factors if f in {x.value for x in Factor}]
    steps = {k: v for k, v in review.candour_steps.items() if k in {s.value for s in CandourStep}}
    kinds = {c.value for c in CqcNotification}
    notifications = {
        kind: sent.isoformat() if sent else None
        for kind, sent in review.cqc_notifications.items()
        if kind in kinds
    }
    # What the regulations require is always on the list, ticked or not.
    report.learning_disability_or_autism = review.learning_disability_or_autism
    report.cqc_notifications = notifications
    for kind, required in report.notifications_due().items():
        if required:
            notifications.setdefault(kind.value, None)
    report.cqc_notifications = dict(notifications)
    report.contributory_factors = factors
    report.learning_outcome = review.learning_outcome or None
    report.debrief_needed = review.debrief_needed
    report.candour_applies = review.candour_applies
    report.candour_steps = steps if review.candour_applies == "yes" else {}
    report.safeguarding_referred_on = review.safeguarding_referred_on
    report.just_culture_outcome = review.just_culture_outcome or None
    report.just_culture_answers = {
        q.key: review.just_culture_answers[q.key]
        for q in just_culture.QUESTIONS
        if review.just_culture_answers.get(q.key) in {"yes", "no", "not_sure"}
    }
    report.just_culture_route = {
        key: review.just_culture_route[key].isoformat()
        for key, _ in just_culture.ROUTE_STEPS
        if review.just_culture_route.get(key)
    }
    report.just_culture_note = review.just_culture_note or None
    if report.seen_at is None:
        report.seen_at = utcnow()
    status = review.status
    if status is ReportStatus.NEW:
        status = ReportStatus.UNDER_REVIEW
    changed = set_status(report, status)
    log_event(
        "report.reviewed",
        report,
        summary={
            "factors": factors,
            "debrief_needed": review.debrief_needed,
            "candour": review.candour_applies,
            "cqc": sorted(notifications),
            "just_culture": report.just_culture_outcome,
        },
    )
    db.session.commit()
    if changed:
        report_status_changed.send(report, status=report.status.value)


def give_feedback(
    report: Report, *, thanks: str | None, learning: str | None, promote_status: bool = True
) -> None:
    """Thank the reporter and/or share what we learned; both reach them (named or by receipt).
    The status moves on with it unless `promote_status` is False (the manager chose one).
    Text over its limit is refused whole (ReportInvalid), never cut short without a word."""
    now = utcnow()
    thanks = (thanks or "").strip() or None
    learning = (learning or "").strip() or None
    errors: dict[str, list[str]] = {}
    if thanks and len(thanks) > TEXT_MAX:
        errors["thanks"] = [too_long("The thank-you", thanks, TEXT_MAX)]
    if learning and len(learning) > DESCRIPTION_MAX:
        errors["learning"] = [too_long("What we learned", learning, DESCRIPTION_MAX)]
    if errors:
        raise ReportInvalid(errors)
    if not thanks and not learning:
        return
    if thanks and thanks != report.thanks_message:
        report.thanks_message = thanks
        report.thanked_at = report.thanked_at or now
    if learning and learning != report.learning_message:
        report.learning_message = learning
        report.learning_shared_at = report.learning_shared_at or now
    report.feedback_updated_at = now
    report.seen_at = report.seen_at or now
    first_feedback = report.first_feedback_at is None
    report.first_feedback_at = report.first_feedback_at or now
    changed = False
    if not promote_status:
        pass
    elif learning and report.status in (ReportStatus.NEW, ReportStatus.UNDER_REVIEW):
        changed = set_status(report, ReportStatus.LEARNING_SHARED)
    elif report.status is ReportStatus.NEW:
        changed = set_status(report, ReportStatus.UNDER_REVIEW)
    if first_feedback and not changed:
        rollups.recount([report])  # the feedback delay is counted (set_status recounts too)
    log_event(
        "report.feedback_given",
        report,
        summary={"thanks": bool(thanks), "learning": bool(learning)},
    )
    db.session.commit()
    report_feedback_given.send(report, thanks=bool(thanks), learning=bool(learning))
    if changed:
        report_status_changed.send(report, status=report.status.value)


def time_to_first_feedback(report: Report) -> timedelta | None:
    if report.first_feedback_at is None:
        return None
    return report.first_feedback_at - report.created_at


def people_in(service_id: int) -> list[User]:
    """Active people of a service, who can own an action."""
    return list(
        db.session.scalars(
            select(User).where(User.service_id == service_id, User.active).order_by(User.name)
        )
    )


ACTION_MAX = 500
OWNER_NAME_MAX = 120


def add_action(
    report: Report, *, description: str, owner_id: int | None, owner_name: str | None, due_on
) -> Action:
    """Add an action to a report. Text over its limit raises ReportInvalid (under the form's
    field names) and nothing is saved: it is never cut short."""
    description = (description or "").strip()
    owner_name = (owner_name or "").strip()
    errors: dict[str, list[str]] = {}
    if len(description) > ACTION_MAX:
        errors["description"] = [too_long("The action", description, ACTION_MAX)]
    if len(owner_name) > OWNER_NAME_MAX:
        errors["owner_name"] = [too_long("The name", owner_name, OWNER_NAME_MAX)]
    if errors:
        raise ReportInvalid(errors)
    if owner_id is not None and owner_id not in {p.id for p in people_in(report.service_id)}:
        owner_id = None
    action = Action(
        service_id=report.service_id,
        report_id=report.id,
        description=description,
        owner_id=owner_id,
        owner_name=owner_name or None,
        due_on=due_on,
    )
    db.session.add(action)
    db.session.flush()
    log_event("action.added", action, summary={"report_id": report.id})
    db.session.commit()
    return action


def complete_action(action: Action) -> None:
    if action.done_at is None:
        action.done_at = utcnow()
        log_event("action.done", action, summary={"report_id": action.report_id})
        db.session.commit()


# ---- the triage queue ----------------------------------------------------------------

QUEUE_PAGE_SIZE = 25
ANONYMOUS_LABEL = "Anonymous"  # what Report.reporter_label says of an anonymous report
SEARCH_MAX = 100  # characters of a triage search: enough for a phrase, bounded for the database
QUEUE_SORTS = ("risk", "newest")


@dataclass
class QueueFilters:
    status: str = ""
    category: str = ""
    harm: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    search: str = ""
    sort: str = "risk"  # riskiest first (see app/reports/risk.py), or "newest"

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        def day(name):
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        try:
            page = max(1, min(int(args.get("page", 1)), 100_000))
        except ValueError:
            page = 1
        return cls(
            status=args.get("status", "") if args.get("status") in set(ReportStatus) else "",
            category=args.get("category", "") if args.get("category") in set(Category) else "",
            harm=args.get("harm", "") if args.get("harm") in set(PhysicalHarm) else "",
            date_from=day("from"),
            date_to=day("to"),
            page=page,
            search=" ".join(args.get("q", "").split())[:SEARCH_MAX],
            sort=args.get("sort") if args.get("sort") in QUEUE_SORTS else "risk",
        )

    def args(self, **changes) -> dict:
        values = {
            "status": self.status,
            "category": self.category,
            "harm": self.harm,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "page": self.page,
            "q": self.search,
            "sort": "" if self.sort == "risk" else self.sort,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class QueuePage:
    """`reports` are rows of what a card of the list shows (`_queue_columns`), not Reports."""

    reports: list
    total: int
    filters: QueueFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // QUEUE_PAGE_SIZE))


def queue(user: User, filters: QueueFilters) -> QueuePage:
    """Reports in `user`'s scope, riskiest (or newest) first, a page at a time: two queries at
    any size. The text search is a LIKE with its wildcards escaped, inside the user's scope.

    Each report is a row of the columns its card shows, with its reporter's label and its
    service's name joined in: whole Report objects (six JSON columns each, their reporter and
    service) cost several times as much to build, for a page that managers open all day."""
    from sqlalchemy import func

    from app.auth.policy import in_scope

    conditions = [in_scope(user, Report.service_id)]
    if filters.status:
        conditions.append(Report.status == ReportStatus(filters.status))
    if filters.category:
        conditions.append(Report.category == Category(filters.category))
    if filters.harm:
        conditions.append(Report.physical_harm == PhysicalHarm(filters.harm))
    if filters.date_from:
        conditions.append(Report.occurred_on >= filters.date_from)
    if filters.date_to:
        conditions.append(Report.occurred_on <= filters.date_to)
    if filters.search:
        conditions.append(
            Report.description.ilike(f"%{_like_escaped(filters.search)}%", escape="\\")
        )
    if len(conditions) == 1:
        # No filters: the monthly rollups hold the same total without counting every report
        # (the rollups are updated in the same transaction as the reports, so it is exact).
        from app.models import ReportRollup

        total = db.session.scalar(
            select(func.coalesce(func.sum(ReportRollup.reports), 0)).where(
                in_scope(user, ReportRollup.service_id)
            )
        )
    else:
        total = db.session.scalar(select(func.count()).select_from(Report).where(*conditions))
    from app.models import Service

    reports = db.session.execute(
        select(*_queue_columns())
        .join(Service, Service.id == Report.service_id)
        .outerjoin(User, User.id == Report.reporter_id)
        .where(*conditions)
        .order_by(*_queue_order(filters.sort))
        .limit(QUEUE_PAGE_SIZE)
        .offset((filters.page - 1) * QUEUE_PAGE_SIZE)
    ).all()
    return QueuePage(reports=list(reports), total=total or 0, filters=filters)


# The list's columns and orders, built once: SQL expressions never change once made, and
# building the risk ranking's CASE anew on every page cost more Python than running it.
_QUEUE_SQL: dict[str, tuple] = {}


def _queue_order(sort: str) -> tuple:
    if sort not in _QUEUE_SQL:
        _QUEUE_SQL[sort] = by_risk() if sort == "risk" else _newest_first()
    return _QUEUE_SQL[sort]


def _queue_columns() -> tuple:
    """What a card of the triage list shows (app/templates/reports/queue.html). The reporter's
    label is `Report.reporter_label` in SQL: never a name for an anonymous report."""
    if "columns" not in _QUEUE_SQL:
        _QUEUE_SQL["columns"] = _build_queue_columns()
    return _QUEUE_SQL["columns"]


def _build_queue_columns() -> tuple:
    from sqlalchemy import case, or_

    from app.models import Service

    return (
        Report.id,
        Report.category,
        Report.kind,
        Report.status,
        Report.physical_harm,
        Report.is_repeat,
        Report.occurred_on,
        Report.description,
        case(
            (or_(Report.anonymous.is_(True), User.name.is_(None)), ANONYMOUS_LABEL),
            else_=User.name,
        ).label("reporter_label"),
        Service.name.label("service_name"),
    )


def _like_escaped(text: str) -> str:
    """`text` with LIKE's wildcards taken literally: a search for "50%" finds "50%" only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _newest_first():
    return (Report.created_at.desc(), Report.id.desc())
