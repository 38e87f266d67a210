"""Supervision records, how often they are due, and the escalation-procedure question bank.

Who sees what: supervisors, managers and admins hold and read supervisions in the services
they can see; a care worker sees only their own, where they acknowledge and comment. Managers
set the frequency and edit the question bank for their service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, func, literal, select

from app.audit import log_event
from app.auth.policy import can_see_service
from app.extensions import db
from app.models import (
    Action,
    Confidence,
    EscalationAnswer,
    EscalationQuestion,
    Supervision,
    SupervisionPolicy,
    User,
)
from app.models.base import uk_today, utcnow
from app.supervision.observations import observable_staff, roles_below
from app.supervision.schemas import ACTION_MAX, COMMENT_MAX, TOO_LONG
from app.validation import Invalid

DEFAULT_EVERY_WEEKS = 8
DUE_SOON_DAYS = 14
QUESTIONS_PER_SUPERVISION = 3
FIRST_LOOK_BACK = timedelta(weeks=12)
# Longer text is refused with a message beside its box, never cut short.
NOTE_MAX = 4000
ANSWER_MAX = 2000
QUESTION_MAX = 300
GOOD_ANSWER_MAX = 2000

# Reflective prompts the discussion notes sit under (key, the words the supervisor sees).
REFLECTIVE_PROMPTS = [
    ("wellbeing", "How are you? What is on your mind at work at the moment?"),
    ("incidents", "Looking at your recent reports: what helped, what got in the way?"),
    ("practice", "What went well in your practice since we last met?"),
    ("learning", "What have you learned, and what would you do differently next time?"),
    ("support", "What support would help you now?"),
]


class SupervisionInvalid(Invalid):
    """A supervision that cannot be saved as it is: `errors` maps a field to what to fix."""


# ---------------------------------------------------------------------------------------------
# Frequency and due status


def intervals(service_ids) -> dict[int, int]:
    """Weeks between supervisions for each of `service_ids` that has set its own."""
    return dict(
        db.session.execute(
            select(SupervisionPolicy.service_id, SupervisionPolicy.every_weeks).where(
                SupervisionPolicy.service_id.in_(service_ids)
            )
        ).all()
    )


def every_weeks(service_id: int) -> int:
    return intervals([service_id]).get(service_id, DEFAULT_EVERY_WEEKS)


def set_frequency(manager: User, service_id: int, weeks: int) -> None:
    if not 1 <= weeks <= 52:
        raise SupervisionInvalid({"every_weeks": "Choose between 1 and 52 weeks."})
    policy = db.session.scalars(
        select(SupervisionPolicy).where(SupervisionPolicy.service_id == service_id)
    ).first() or SupervisionPolicy(service_id=service_id)
    policy.every_weeks = weeks
    db.session.add(policy)
    db.session.flush()
    log_event("supervision.frequency_set", policy, summary={"every_weeks": weeks}, actor=manager)
    db.session.commit()


@dataclass
class SupervisionDue:
    person: User
    last_held_on: date | None
    due_on: date | None
    key: str  # "overdue", "due_soon", "in_date", "never"

    @property
    def label(self) -> str:
        return {
            "overdue": "Overdue",
            "due_soon": "Due soon",
            "in_date": "In date",
            "never": "No supervision yet",
        }[self.key]


# The "in date" rule, in Python for one person (due_status) and in SQL for a count over many
# (held_in_date, which the dashboard uses): the next supervision is due `weeks` after the last;
# overdue once that day has passed, due soon within DUE_SOON_DAYS, otherwise in date.


def due_status(person: User, last_held_on: date | None, weeks: int, today: date) -> SupervisionDue:
    """Due `weeks` after the last supervision: overdue once past, due soon within 14 days."""
    if last_held_on is None:
        return SupervisionDue(person, None, None, "never")
    due_on = last_held_on + timedelta(weeks=weeks)
    if due_on < today:
        key = "overdue"
    elif due_on <= today + timedelta(days=DUE_SOON_DAYS):
        key = "due_soon"
    else:
        key = "in_date"
    return SupervisionDue(person, last_held_on, due_on, key)


def held_in_date(last_held_on, service_id, as_of: date, service_ids) -> ColumnElement[bool]:
    """The SQL twin of due_status: not overdue on `as_of` (in date or due soon), for the
    columns `last_held_on` (a person's latest supervision; NULL is never in date) and
    `service_id` (their service, whose interval applies)."""
    weeks = intervals(service_ids)
    default = literal(as_of - timedelta(weeks=DEFAULT_EVERY_WEEKS))
    earliest = (
        case(
            {sid: as_of - timedelta(weeks=w) for sid, w in weeks.items()},
            value=service_id,
            else_=default,
        )
        if weeks
        else default
    )
    return last_held_on >= earliest


def supervisees(viewer: User) -> list[User]:
    """Everyone in the viewer's services in a role below theirs (see roles_below)."""
    return observable_staff(viewer)


def team_due(viewer: User, today: date | None = None) -> list[SupervisionDue]:
    """Supervision status for everyone the viewer may supervise, most urgent first."""
    today = today or uk_today()
    people = supervisees(viewer)
    last = dict(
        db.session.execute(
            select(Supervision.supervisee_id, func.max(Supervision.held_on))
            .where(Supervision.supervisee_id.in_([p.id for p in people]))
            .group_by(Supervision.supervisee_id)
        ).all()
    )
    weeks = intervals({p.service_id for p in people})
    statuses = [
        due_status(p, last.get(p.id), weeks.get(p.service_id, DEFAULT_EVERY_WEEKS), today)
        for p in people
    ]
    order = {"never": 0, "overdue": 1, "due_soon": 2, "in_date": 3}
    return sorted(statuses, key=lambda s: (order[s.key], s.due_on or date.min, s.person.name))


def last_supervision_date(supervisee: User) -> date | None:
    return db.session.scalar(
        select(func.max(Supervision.held_on)).where(Supervision.supervisee_id == supervisee.id)
    )


def prompts_since(supervisee: User) -> date:
    return last_supervision_date(supervisee) or (uk_today() - FIRST_LOOK_BACK)


# ---------------------------------------------------------------------------------------------
# The escalation question bank


def active_questions(service_id: int) -> list[EscalationQuestion]:
    return list(
        db.session.scalars(
            select(EscalationQuestion)
            .where(EscalationQuestion.service_id == service_id, EscalationQuestion.active)
            .order_by(EscalationQuestion.id)
        )
    )


def questions_for(supervisee: User, count: int = QUESTIONS_PER_SUPERVISION):
    """A few questions from the bank, the ones this person has been asked least often first."""
    asked = dict(
        db.session.execute(
            select(EscalationAnswer.question_id, func.count())
            .join(Supervision, Supervision.id == EscalationAnswer.supervision_id)
            .where(Supervision.supervisee_id == supervisee.id)
            .group_by(EscalationAnswer.question_id)
        ).all()
    )
    bank = active_questions(supervisee.service_id)
    return sorted(bank, key=lambda q: (asked.get(q.id, 0), q.id))[:count]


def add_question(manager: User, service_id: int, text: str, good_answer: str | None):
    errors = {}
    if len(text or "") > QUESTION_MAX:
        errors["text"] = TOO_LONG.format(max=QUESTION_MAX)
    elif not (text or "").strip():
        errors["text"] = "Write the question."
    if len(good_answer or "") > GOOD_ANSWER_MAX:
        errors["good_answer"] = TOO_LONG.format(max=GOOD_ANSWER_MAX)
    if errors:
        raise SupervisionInvalid(errors)
    question = EscalationQuestion(
        service_id=service_id,
        text=text.strip(),
        good_answer=(good_answer or "").strip() or None,
    )
    db.session.add(question)
    db.session.flush()
    log_event("escalation_question.added", question, summary={"text": question.text}, actor=manager)
    db.session.commit()
    return question


def retire_question(manager: User, question: EscalationQuestion) -> None:
    """Take a question out of the bank; past supervisions keep its words."""
    question.active = False
    log_event("escalation_question.retired", question, actor=manager)
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# Recording a supervision


@dataclass
class EscalationCheck:
    question_id: int
    answer: str
    confidence: str | None


def record_supervision(
    supervisor: User,
    supervisee: User | None,
    *,
    held_on: date | None,
    discussion: dict[str, str],
    escalation: list[EscalationCheck],
    actions: list[tuple[str, date | None]],
) -> Supervision:
    """Save a supervision with its notes, escalation check and agreed actions; commit."""
    errors: dict[str, str] = {}
    if (
        supervisee is None
        or not supervisee.active
        or not can_see_service(supervisor, supervisee.service_id)
    ):
        errors["supervisee_id"] = "Choose who the supervision is with."
    elif supervisee.role not in roles_below(supervisor):
        errors["supervisee_id"] = "Choose someone you supervise."
    if held_on is None:
        errors["held_on"] = "Enter the date of the supervision."
    elif held_on > uk_today():
        errors["held_on"] = "The supervision date cannot be in the future."
    bank = {q.id: q for q in active_questions(supervisee.service_id)} if supervisee else {}
    checks = []
    for check in escalation:
        question = bank.get(check.question_id)
        if question is None:
            continue
        if len(check.answer or "") > ANSWER_MAX:
            errors[f"answer-{question.id}"] = TOO_LONG.format(max=ANSWER_MAX)
        if check.confidence not in {c.value for c in Confidence}:
            errors[f"escalation-{question.id}"] = (
                f"Mark the answer to “{question.text}” as confident or needs support."
            )
            continue
        checks.append((question, check))
    for key, _ in REFLECTIVE_PROMPTS:
        if len(discussion.get(key) or "") > NOTE_MAX:
            errors[f"note_{key}"] = TOO_LONG.format(max=NOTE_MAX)
    notes = {key: (discussion.get(key) or "").strip() for key, _ in REFLECTIVE_PROMPTS}
    if not any(notes.values()):
        errors["discussion"] = "Write a note under at least one of the prompts."
    for number, (description, _due_on) in enumerate(actions, start=1):
        if len(description or "") > ACTION_MAX:
            errors[f"action_{number}"] = TOO_LONG.format(max=ACTION_MAX)
    if errors:
        raise SupervisionInvalid(errors)

    supervision = Supervision(
        service_id=supervisee.service_id,
        supervisor_id=supervisor.id,
        supervisee_id=supervisee.id,
        held_on=held_on,
        discussion={k: v for k, v in notes.items() if v},
    )
    for question, check in checks:
        supervision.escalation_answers.append(
            EscalationAnswer(
                question_id=question.id,
                question_text=question.text,
                answer=(check.answer or "").strip() or None,
                confidence=Confidence(check.confidence),
            )
        )
    for description, due_on in actions:
        if description and description.strip():
            supervision.actions.append(
                Action(
                    service_id=supervisee.service_id,
                    description=description.strip(),
                    owner_id=supervisee.id,
                    due_on=due_on,
                )
            )
    db.session.add(supervision)
    db.session.flush()
    log_event(
        "supervision.recorded",
        supervision,
        summary={
            "supervisee_id": supervisee.id,
            "needs_support": sum(
                a.confidence is Confidence.NEEDS_SUPPORT for a in supervision.escalation_answers
            ),
            "actions": len(supervision.actions),
        },
        actor=supervisor,
    )
    db.session.commit()
    return supervision


def acknowledge_supervision(supervisee: User, supervision: Supervision, comment: str | None):
    if supervision.supervisee_id != supervisee.id:
        raise SupervisionInvalid({"comment": "Only the person supervised can acknowledge this."})
    if comment and len(comment) > COMMENT_MAX:
        raise SupervisionInvalid({"comment": TOO_LONG.format(max=COMMENT_MAX)})
    if supervision.acknowledged_at is None:
        supervision.acknowledged_at = utcnow()
    if comment and comment.strip():
        supervision.supervisee_comment = comment.strip()
    log_event("supervision.acknowledged", supervision, actor=supervisee)
    db.session.commit()
