"""Competency observations: recording them, the outcome rules, and competency status.

Who sees what: supervisors, managers and admins record and read observations in the services
they can see; a care worker sees only the observations of their own practice, where they
acknowledge and comment.

`record_observation_once()` is the one way an observation is finished, from the web form
(through `record_observation()`) and from the offline JSON API; it loads every body through
`ObservationBody` (app/supervision/schemas.py), so both are refused with the same messages
under the same field keys, and over-long text is refused, never cut short. It follows the same
idempotency rules as reports: the same `client_id` with the same body returns the stored
observation; with a different body it raises `ClientIdConflict` (one `save_once` for every
synced draft: app/sync.py). Supervision itself is in supervisions.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.orm import selectinload

from app.audit import log_event
from app.auth.policy import can_see_service, in_scope, roles_below  # noqa: F401 (re-exported)
from app.events import observation_recorded
from app.extensions import db
from app.models import (
    Action,
    Category,
    ChecklistItem,
    ChecklistTemplate,
    ItemResult,
    Observation,
    ObservationAnswer,
    ObservationStatus,
    Outcome,
    Report,
    ReportKind,
    Role,
    User,
)
from app.models.base import add_months, uk_today, utcnow
from app.supervision.schemas import (
    CHOOSE_RESULT,
    COMMENT_MAX,
    MAX_ACTIONS,  # noqa: F401 (re-exported)
    NOTE_MAX,
    TOO_LONG,
    ObservationBody,
    page_keys,
)
from app.sync import payload_hash, save_once
from app.validation import Invalid

DUE_SOON_DAYS = 30


class ObservationInvalid(Invalid):
    """The answers cannot be saved; `errors` maps a field name to what to fix."""


# ---------------------------------------------------------------------------------------------
# The outcome rules


def decide_outcome(
    items: list[ChecklistItem], results: dict[int, ItemResult | None], chosen: Outcome | None
) -> tuple[Outcome | None, bool]:
    """The outcome, and whether a critical item not met forced it.

    Any critical item not yet met means "not yet competent", whatever was chosen. Otherwise the
    observer's judgement stands; with nothing chosen, all items met or N/A means competent.
    """
    critical_not_met = any(
        item.critical and results.get(item.id) is ItemResult.NOT_YET for item in items
    )
    if critical_not_met:
        return Outcome.NOT_YET_COMPETENT, chosen is not Outcome.NOT_YET_COMPETENT
    if chosen is not None:
        return chosen, False
    if any(results.get(item.id) is ItemResult.NOT_YET for item in items):
        return None, False
    return Outcome.COMPETENT, False


# ---------------------------------------------------------------------------------------------
# Drafts: the tablet form saves item by item


def observable_staff(user: User) -> list[User]:
    """Active people in `user`'s services, in a role below theirs, whose practice they observe."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                in_scope(user, User.service_id),
                User.active,
                User.role.in_(roles_below(user)),
            )
            .order_by(User.name)
        )
    )


def start_observation(
    observer: User, staff: User, template: ChecklistTemplate, modules: list[str]
) -> Observation:
    """Open a draft observation of `staff` against the current version of `template`."""
    _check_staff_and_template(observer, staff, template)
    observation = Observation(
        service_id=staff.service_id,
        template_id=template.id,
        staff_id=staff.id,
        observer_id=observer.id,
        modules=[m for m in template.add_on_modules if m in modules],
        observed_on=uk_today(),
        status=ObservationStatus.DRAFT,
    )
    db.session.add(observation)
    db.session.commit()
    return observation


def _check_staff_and_template(observer: User, staff: User | None, template) -> None:
    errors = {}
    if staff is not None and staff.id == observer.id:
        errors["staff_id"] = "You cannot observe your own practice: ask your manager."
    elif staff is None or not staff.active or not can_see_service(observer, staff.service_id):
        errors["staff_id"] = "Choose who you are observing."
    elif staff.role not in roles_below(observer):
        errors["staff_id"] = "Choose someone you supervise."
    if template is None or not can_see_service(observer, template.service_id):
        errors["template_id"] = "Choose a checklist."
    elif staff is not None and template.service_id != staff.service_id:
        errors["template_id"] = "Choose a checklist from their service."
    if errors:
        raise ObservationInvalid(errors)


def save_answer(
    observation: Observation,
    item_id: int,
    result: str | None,
    note: str | None,
    observer: User | None = None,
) -> ObservationAnswer:
    """Save one item's answer on a draft (htmx, as the supervisor taps). With `observer`,
    only the observer who started the draft may."""
    if observer is not None and (
        observation.observer_id != observer.id or observation.staff_id == observer.id
    ):
        raise ObservationInvalid({"item": "Only the observer who started this can change it."})
    if observation.status is not ObservationStatus.DRAFT:
        raise ObservationInvalid({"item": "This observation is finished and cannot change."})
    if item_id not in {i.id for i in observation.items}:
        raise ObservationInvalid({"item": "That item is not on this checklist."})
    answer = observation.answer_for(item_id)
    if answer is None:
        answer = ObservationAnswer(item_id=item_id)
        observation.answers.append(answer)
    if result:
        answer.result = _parse_result(result, f"item-{item_id}")
    if note is not None:
        if len(note) > NOTE_MAX:
            raise ObservationInvalid({f"note-{item_id}": TOO_LONG.format(max=NOTE_MAX)})
        answer.note = note.strip() or None
    db.session.commit()
    return answer


def progress(observation: Observation) -> tuple[int, int]:
    """(answered, total) for the progress bar."""
    items = observation.items
    answered = sum(1 for i in items if (a := observation.answer_for(i.id)) is not None and a.result)
    return answered, len(items)


# ---------------------------------------------------------------------------------------------
# Finishing an observation


def _parse_result(value, name: str) -> ItemResult:
    try:
        return ItemResult(value)
    except ValueError:
        raise ObservationInvalid({name: CHOOSE_RESULT}) from None


def checked_body(raw: dict) -> dict:
    """The body as `ObservationBody` loads it, or ObservationInvalid with what to fix."""
    try:
        return ObservationBody().load(raw)
    except ValidationError as error:
        raise ObservationInvalid(page_keys(error.messages)) from None


def _stored(client_id: str) -> Observation | None:
    return db.session.scalars(select(Observation).where(Observation.client_id == client_id)).first()


def record_observation(observer: User, answers: dict, **options) -> Observation:
    """Finish an observation (see record_observation_once) and return it."""
    return record_observation_once(observer, answers, **options)[0]


def record_observation_once(
    observer: User,
    answers: dict,
    *,
    client_id: str | None = None,
    device_time: datetime | None = None,
    channel: str = "web",
    draft: Observation | None = None,
) -> tuple[Observation, bool]:
    """Finish an observation from one body of answers, and commit.

    `answers` is the body `ObservationBody` loads (app/supervision/schemas.py): the form's
    fields (`item-<id>`, `note-<id>`, `action_<n>` ...) or {"staff_id", "template_id",
    "modules": [...], "observed_on": "YYYY-MM-DD", "items": {"<item id>": {"result": "met" |
    "not_yet" | "na", "note": "..."}}, "outcome": "competent" | "not_yet_competent" | None,
    "summary": "...", "reobserve_on": "YYYY-MM-DD", "actions": [{"description": "...",
    "due_on": "YYYY-MM-DD"}]}. A draft is passed as `draft` (its staff, checklist and add-ons
    are already chosen; a `draft_id` in the body is the caller's to look up). Returns
    (observation, created): created is False for a repeat of the same client_id and answers.
    Raises ObservationInvalid (what to fix, under the page's field keys) or ClientIdConflict
    (app/sync.py).
    """
    if not observer.has_role(Role.SUPERVISOR):
        raise ObservationInvalid({"observer": "Only supervisors and managers record observations."})
    answers = checked_body(answers)
    digest = payload_hash(answers)

    def save() -> Observation:
        return _finish(observer, answers, client_id, digest, device_time, channel, draft)

    observation, created = save_once(
        client_id,
        digest,
        find=_stored,
        same_writer=lambda stored: stored.observer_id == observer.id,
        save=save,
    )
    if created:
        observation_recorded.send(observation)
    return observation, created


def _finish(
    observer: User,
    answers: dict,
    client_id: str | None,
    digest: str,
    device_time: datetime | None,
    channel: str,
    draft: Observation | None,
) -> Observation:
    """Validate the answers, complete the draft (or a new observation), and commit."""
    if draft is not None:
        _check_draft_belongs_to(observer, draft)
        observation = draft
    else:
        staff = db.session.get(User, _int(answers.get("staff_id")))
        template = db.session.get(ChecklistTemplate, _int(answers.get("template_id")))
        _check_staff_and_template(observer, staff, template)
        observation = Observation(
            service_id=staff.service_id,
            template_id=template.id,
            template=template,
            staff_id=staff.id,
            observer_id=observer.id,
            modules=[m for m in template.add_on_modules if m in (answers.get("modules") or [])],
            status=ObservationStatus.DRAFT,
        )
    _complete(observation, answers)
    observation.client_id = client_id
    observation.device_time = device_time
    observation.payload_hash = digest if client_id else None
    db.session.add(observation)
    db.session.flush()  # a racing resend with this client_id fails here (see app/sync.py)
    _add_development_plan(observation, answers.get("actions") or [])
    log_event(
        "observation.recorded",
        observation,
        summary={
            "template": observation.template.name,
            "version": observation.template.version,
            "outcome": observation.outcome.value,
            "staff_id": observation.staff_id,
        },
        actor=observer,
        channel=channel,
    )
    db.session.commit()
    return observation


def _check_draft_belongs_to(observer: User, draft: Observation) -> None:
    """Only the observer who started a draft changes or finishes it, and never about
    themselves (the web form and the offline API both come through here)."""
    if draft.observer_id != observer.id or draft.staff_id == observer.id:
        raise ObservationInvalid({"draft_id": "This observation could not be found."})
    if draft.status is not ObservationStatus.DRAFT:
        raise ObservationInvalid({"observation": "This observation is already finished."})


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _complete(observation: Observation, answers: dict) -> None:
    """Check the answers against the checklist and fill in the observation (not yet flushed).
    `answers` has loaded through ObservationBody: its fields are already the right shape."""
    errors: dict[str, str] = {}
    items = observation.template.items_for(observation.modules or [])
    given = answers["items"]
    results: dict[int, ItemResult | None] = {}
    for item in items:
        entry = given.get(str(item.id)) or {}
        result = ItemResult(entry["result"]) if entry.get("result") else None
        if result is None:
            errors[f"item-{item.id}"] = f"Choose met, not yet or N/A for: {item.text}"
        results[item.id] = result
        answer = observation.answer_for(item.id)
        if answer is None:
            answer = ObservationAnswer(item_id=item.id)
            observation.answers.append(answer)
        answer.result = result
        answer.note = entry.get("note")

    chosen = Outcome(answers["outcome"]) if answers["outcome"] else None
    outcome, _forced = decide_outcome(items, results, chosen)
    if outcome is None:
        errors["outcome"] = "Some items are not yet met: choose the outcome."

    observed_on = answers["observed_on"] or observation.observed_on or uk_today()
    if observed_on > uk_today():
        errors["observed_on"] = "The observation date cannot be in the future."
    reobserve_on = answers["reobserve_on"]
    actions = [a for a in answers["actions"] if a["description"]]
    if outcome is Outcome.NOT_YET_COMPETENT:
        if not actions:
            errors["action_1"] = "Add at least one development action: what support will help?"
        if reobserve_on is None:
            errors["reobserve_on"] = "Choose a date to observe again."
    if reobserve_on is not None and reobserve_on <= observed_on:
        errors["reobserve_on"] = "The date to observe again must be after this observation."
    if errors:
        raise ObservationInvalid(errors)

    observation.outcome = outcome
    observation.observed_on = observed_on
    observation.reobserve_on = reobserve_on
    observation.summary = answers["summary"]
    observation.status = ObservationStatus.COMPLETED
    observation.completed_at = utcnow()


def _add_development_plan(observation: Observation, actions: list[dict]) -> None:
    for action in actions:
        if not action["description"]:
            continue
        db.session.add(
            Action(
                service_id=observation.service_id,
                observation_id=observation.id,
                description=action["description"],
                owner_id=observation.staff_id,
                due_on=action["due_on"],
            )
        )


def was_forced(observation: Observation) -> bool:
    """True when a critical item not met decided the outcome."""
    return any(a.item.critical and a.result is ItemResult.NOT_YET for a in observation.answers)


def acknowledge_observation(staff: User, observation: Observation, comment: str | None) -> None:
    """The observed person confirms they have read it, with an optional comment."""
    if observation.staff_id != staff.id:
        raise ObservationInvalid({"comment": "Only the person observed can acknowledge this."})
    if observation.status is not ObservationStatus.COMPLETED:
        raise ObservationInvalid({"comment": "This observation is not finished yet."})
    if comment and len(comment) > COMMENT_MAX:
        raise ObservationInvalid({"comment": TOO_LONG.format(max=COMMENT_MAX)})
    if observation.acknowledged_at is None:
        observation.acknowledged_at = utcnow()
    if comment and comment.strip():
        observation.staff_comment = comment.strip()
    log_event("observation.acknowledged", observation, actor=staff)
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# Competency status


STATUS_LABELS = {
    "in_date": "In date",
    "due_soon": "Due within 30 days",
    "overdue": "Overdue",
    "never": "Never observed",
    "not_yet": "Not yet competent",
}


@dataclass
class CompetencyStatus:
    staff: User
    template: ChecklistTemplate  # the current version
    key: str
    due_on: date | None = None
    last: Observation | None = None
    medication_report: Report | None = None  # suggests observing sooner (NICE SC1)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.key]

    @property
    def needs_attention(self) -> bool:
        return self.key != "in_date" or self.medication_report is not None


def status_for(
    staff: User,
    template: ChecklistTemplate,
    last: Observation | None,
    medication_reports: list[Report],
    today: date,
) -> CompetencyStatus:
    """One staff member's status for one checklist, from their latest finished observation.

    Never observed; not yet competent (until a later observation says competent); otherwise
    due at the renewal interval after the observation (or the re-observation date if the
    observer set an earlier one): overdue once past, due within 30 days, else in date.
    """
    status = CompetencyStatus(staff=staff, template=template, key="never", last=last)
    if last is None:
        return status
    if template.recheck_after_medication_report:
        later = [r for r in medication_reports if r.occurred_on > last.observed_on]
        status.medication_report = max(later, key=lambda r: r.occurred_on, default=None)
    renewal = add_months(last.observed_on, template.renewal_months)
    status.due_on = min(d for d in (renewal, last.reobserve_on) if d is not None)
    if last.outcome is Outcome.NOT_YET_COMPETENT:
        status.key = "not_yet"
        status.due_on = last.reobserve_on or renewal  # when to observe again
    elif status.due_on < today:
        status.key = "overdue"
    elif status.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        status.key = "due_soon"
    else:
        status.key = "in_date"
    return status


def earliest_in_date(as_of: date, months: int) -> date:
    """The earliest observation date whose renewal (`months` later, as status_for counts
    months) is on or after `as_of`. Renewal dates never go backwards as the observation date
    moves forward, so step from a first guess to the exact day."""
    day = add_months(as_of, -months)
    while add_months(day, months) < as_of:
        day += timedelta(days=1)
    while add_months(day - timedelta(days=1), months) >= as_of:
        day -= timedelta(days=1)
    return day


def competent_in_date(
    outcome, observed_on, reobserve_on, lineage_id, as_of: date, renewal_months: dict[int, int]
) -> ColumnElement[bool]:
    """The SQL twin of status_for: not overdue on `as_of` (in date or due within 30 days) for
    the columns of a latest finished observation (`outcome`, `observed_on`, `reobserve_on`;
    NULL, never observed, is never in date) and its checklist's `lineage_id`, whose renewal
    interval in months `renewal_months` gives: competent, the renewal not past and no earlier
    re-observation date past."""
    earliest = case(
        {lineage: earliest_in_date(as_of, months) for lineage, months in renewal_months.items()},
        value=lineage_id,
    )
    return and_(
        outcome == Outcome.COMPETENT,
        observed_on >= earliest,
        or_(reobserve_on.is_(None), reobserve_on >= as_of),
    )


def report_involves(report: Report, staff_id: int) -> bool:
    """The rule for "a medication report involving a staff member".

    A medication report (not "something that went well", not anonymous) involves someone when
    they reported it themselves (reporter_id), or when the report's follow-up answers name them:
    `follow_up["staff_involved_ids"]` (a list of user ids) or `follow_up["staff_involved_id"]`.
    Anonymous reports never count: nothing may trace them to a person.
    """
    if report.anonymous or report.kind is ReportKind.GOOD_CARE:
        return False
    if report.reporter_id == staff_id:
        return True
    named = report.follow_up or {}
    ids = named.get("staff_involved_ids") or []
    if named.get("staff_involved_id") is not None:
        ids = [*ids, named["staff_involved_id"]]
    return staff_id in {_int(i) for i in ids}


def latest_observations(staff_ids: list[int]) -> dict[tuple[int, int], Observation]:
    """The latest finished observation per (staff id, checklist lineage)."""
    if not staff_ids:
        return {}
    rows = db.session.scalars(
        select(Observation)
        .where(
            Observation.staff_id.in_(staff_ids),
            Observation.status == ObservationStatus.COMPLETED,
        )
        .options(
            selectinload(Observation.template),
            selectinload(Observation.answers).selectinload(ObservationAnswer.item),
        )
        .order_by(Observation.observed_on, Observation.id)
    ).all()
    latest: dict[tuple[int, int], Observation] = {}
    for observation in rows:
        latest[(observation.staff_id, observation.template.lineage_id)] = observation
    return latest


def medication_reports_for(staff: list[User], since: date | None) -> dict[int, list[Report]]:
    """Medication reports in their services involving each of `staff` after `since`, by id."""
    if not staff or since is None:
        return {}
    staff_ids = [s.id for s in staff]
    reports = db.session.scalars(
        select(Report).where(
            Report.service_id.in_({s.service_id for s in staff}),
            Report.category == Category.MEDICATION,
            Report.anonymous.is_(False),
            Report.occurred_on > since,
        )
    ).all()
    found: dict[int, list[Report]] = defaultdict(list)
    for report in reports:
        for staff_id in staff_ids:
            if report_involves(report, staff_id):
                found[staff_id].append(report)
    return found


def competency_grid(
    viewer: User,
    staff: list[User] | None = None,
    today: date | None = None,
    latest: dict[tuple[int, int], Observation] | None = None,
) -> list[CompetencyStatus]:
    """Every (staff member, current checklist) status the viewer may see, in a few queries."""
    today = today or uk_today()
    staff = staff if staff is not None else observable_staff(viewer)
    templates = list(
        db.session.scalars(
            select(ChecklistTemplate)
            .where(ChecklistTemplate.is_current, in_scope(viewer, ChecklistTemplate.service_id))
            .order_by(ChecklistTemplate.name)
        )
    )
    ids = [s.id for s in staff]
    latest = latest if latest is not None else latest_observations(ids)
    earliest = min((o.observed_on for o in latest.values()), default=None)
    reports = medication_reports_for(staff, earliest)
    statuses = []
    for person in staff:
        for template in templates:
            if template.service_id != person.service_id:
                continue
            last = latest.get((person.id, template.lineage_id))
            statuses.append(status_for(person, template, last, reports.get(person.id, []), today))
    return statuses


@dataclass
class SupportNeed:
    """One checklist item that some people have not yet met, with who they are."""

    item_text: str
    template_name: str
    critical: bool
    people: list[tuple[User, Observation, str | None]] = field(default_factory=list)


def team_support(
    staff: list[User], latest: dict[tuple[int, int], Observation]
) -> list[SupportNeed]:
    """Who needs which support: the not-yet-met items from each person's latest observations."""
    by_id = {s.id: s for s in staff}
    needs: dict[tuple[str, str], SupportNeed] = {}
    for (staff_id, _lineage), observation in latest.items():
        for answer in observation.answers:
            if answer.result is not ItemResult.NOT_YET:
                continue
            key = (observation.template.name, answer.item.text)
            need = needs.setdefault(
                key,
                SupportNeed(answer.item.text, observation.template.name, answer.item.critical),
            )
            need.people.append((by_id[staff_id], observation, answer.note))
    return sorted(needs.values(), key=lambda n: (not n.critical, -len(n.people), n.item_text))
