"""Demo debriefs, reflections and unsafe-workaround flags for both demo services.

Debriefs link to the service's demo reports when there are any (the serious ones first). Safe to
run twice: a service that already has a debrief gets no more, and reflections carry fixed
client ids, so saving them again returns the ones already stored.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.debriefs.services import (
    add_action,
    add_contribution,
    close_debrief,
    create_debrief,
    move_workaround,
)
from app.extensions import db
from app.models import (
    Debrief,
    DebriefFormat,
    Report,
    User,
    WorkaroundFlag,
    WorkaroundStatus,
)
from app.reflections.services import save_reflection

WILLOW_POINTS = {
    "helped": [
        "Priya stayed with Mrs H and kept her calm while we got help.",
        "The falls sensor alarm went off straight away.",
    ],
    "hindered": [
        "Night shift had one carer less than planned.",
        "The hoist sling in room 4 was the wrong size.",
    ],
    "could_change": [
        "Check sling sizes at the morning handover.",
        "Put the on-call number on the medication trolley.",
    ],
}
WILLOW_WORKAROUND = "We prop the sluice room door open at night so we can hear call bells."


def _people() -> dict[str, User]:
    emails = [
        "manager@willow.demo",
        "supervisor@willow.demo",
        "carer@willow.demo",
        "newstarter@willow.demo",
        "manager@riverside.demo",
        "carer@riverside.demo",
    ]
    users = db.session.scalars(select(User).where(User.email.in_(emails))).all()
    return {user.email: user for user in users}


def _report_ids(service_id: int, count: int) -> list[int]:
    """The service's demo reports to link, serious ones first (none yet is fine)."""
    reports = db.session.scalars(
        select(Report)
        .where(Report.service_id == service_id)
        .order_by(Report.created_at.desc())
        .limit(20)
    ).all()
    reports = sorted(reports, key=lambda r: not r.is_serious)
    return [r.id for r in reports[:count]]


def _has_debrief(service_id: int) -> bool:
    return db.session.scalar(select(Debrief.id).where(Debrief.service_id == service_id)) is not None


def _willow(people: dict[str, User]) -> None:
    supervisor, manager = people["supervisor@willow.demo"], people["manager@willow.demo"]
    carer, newstarter = people["carer@willow.demo"], people["newstarter@willow.demo"]
    service_id = supervisor.service_id
    if _has_debrief(service_id):
        return
    debrief = create_debrief(
        supervisor,
        service_id,
        format=DebriefFormat.STRUCTURED,
        held_on=date.today() - timedelta(days=6),
        facilitator_id=supervisor.id,
        report_ids=_report_ids(service_id, 1),
        attendee_ids=[carer.id, manager.id, newstarter.id],
        person_offered=True,
        family_offered=True,
    )
    for prompt, points in WILLOW_POINTS.items():
        for text in points:
            add_contribution(supervisor, debrief, prompt, text)
    add_contribution(supervisor, debrief, "hindered", WILLOW_WORKAROUND, unsafe_workaround=True)
    add_action(
        supervisor,
        debrief,
        "Add sling sizes to each person's moving and handling plan.",
        manager.id,
        date.today() + timedelta(days=14),
    )
    close_debrief(
        supervisor,
        debrief,
        "Short-staffed nights make checks slip. We will check sling sizes at handover "
        "and review night staffing at the next team meeting.",
    )
    open_review = create_debrief(
        supervisor,
        service_id,
        format=DebriefFormat.AFTER_ACTION,
        held_on=date.today() - timedelta(days=1),
        facilitator_id=supervisor.id,
        report_ids=_report_ids(service_id, 2)[1:],
        attendee_ids=[carer.id, newstarter.id],
        person_offered=False,
        family_offered=False,
    )
    add_contribution(supervisor, open_review, "expected", "Medicines given by 8:30 at breakfast.")
    add_contribution(supervisor, open_review, "actual", "The round finished at 9:40.")


def _riverside(people: dict[str, User]) -> None:
    manager, carer = people["manager@riverside.demo"], people["carer@riverside.demo"]
    service_id = manager.service_id
    if _has_debrief(service_id):
        return
    huddle = create_debrief(
        manager,
        service_id,
        format=DebriefFormat.SWARM,
        held_on=date.today() - timedelta(days=3),
        facilitator_id=manager.id,
        report_ids=_report_ids(service_id, 1),
        attendee_ids=[carer.id],
        person_offered=True,
        family_offered=False,
    )
    add_contribution(manager, huddle, "what_happened", "J became distressed on the bus home.")
    add_contribution(manager, huddle, "helped", "Lena knew J's calming plan by heart.")
    add_contribution(manager, huddle, "hindered", "The bus was busier than usual.")
    add_contribution(manager, huddle, "next_steps", "Try the quieter 4 pm bus next week.")
    close_debrief(manager, huddle, "Plan outings for quieter times; J's plan worked well.")


REFLECTIONS = [
    (
        "carer@willow.demo",
        "4d1b1a2e-6f0a-4c59-9a57-1a1f5a0d0001",
        "helped_hindered",
        {
            "helped": "Tom came straight away when I called.",
            "hindered": "I couldn't find the right sling quickly.",
            "could_change": "Label the slings by room.",
        },
        True,
        None,
    ),
    (
        "carer@willow.demo",
        "4d1b1a2e-6f0a-4c59-9a57-1a1f5a0d0002",
        "what_so_what",
        {
            "what": "A busy medicines round with lots of interruptions.",
            "so_what": "Interruptions are when mistakes happen.",
            "now_what": "Ask about wearing the 'do not disturb' tabard.",
        },
        False,
        None,
    ),
    (
        "newstarter@willow.demo",
        "4d1b1a2e-6f0a-4c59-9a57-1a1f5a0d0003",
        "gibbs",
        {
            "description": "My first night shift.",
            "feelings": "Nervous, but the team was kind.",
            "action_plan": "Read the falls policy this week.",
        },
        False,
        "We sometimes sign the fridge temperature chart before checking it.",
    ),
    (
        "carer@riverside.demo",
        "4d1b1a2e-6f0a-4c59-9a57-1a1f5a0d0004",
        "positive_risk",
        {
            "wanted": "J wanted to go to the shops on his own.",
            "risks": "Crossing the main road.",
            "least_restrictive": "I walked a little way behind.",
            "next_time": "Practise the crossing together first.",
        },
        True,
        None,
    ),
]


def _reflections(people: dict[str, User]) -> None:
    for email, client_id, template, answers, shared, workaround in REFLECTIONS:
        save_reflection(
            people[email],
            answers,
            template=template,
            shared=shared,
            workaround=workaround,
            client_id=client_id,
            channel="seed",
        )


def _discuss_one_flag(people: dict[str, User]) -> None:
    manager = people["manager@willow.demo"]
    flag = db.session.scalars(
        select(WorkaroundFlag).where(
            WorkaroundFlag.service_id == manager.service_id,
            WorkaroundFlag.reflection_id.is_not(None),
            WorkaroundFlag.status == WorkaroundStatus.RAISED,
        )
    ).first()
    if flag is not None:
        move_workaround(
            manager,
            flag,
            WorkaroundStatus.DISCUSSED,
            "Talked at the team meeting: thank you for raising it. Trying a new chart.",
        )


def seed_debriefs() -> None:
    people = _people()
    if len(people) < 6:
        return
    _willow(people)
    _riverside(people)
    _reflections(people)
    _discuss_one_flag(people)
