"""Demo meetings, staff pulse answers and "you said, we did" entries for the last year."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.governance.figures import today
from app.models import (
    Meeting,
    MeetingKind,
    MeetingLearningItem,
    PulseResponse,
    Role,
    Service,
    User,
    YouSaidWeDid,
)
from app.models.base import add_months

THEMES = [
    "Falls near misses at night: lighting on the landing",
    "Medication given late at teatime: one person now sets up the trolley",
    "Handover misses changes to diets",
    "Informal restriction: bedroom door wedged shut, now discussed in the PBS review",
    "Thanking staff who reported a near miss with the hoist",
]
BOARD = [
    (
        "The night lights on the first-floor landing were too dim.",
        "Brighter night lights fitted; falls at night are down.",
    ),
    (
        "Teatime medicines clash with serving tea.",
        "A second senior now covers teatime, and the round starts at 4.30.",
    ),
    (
        "We never hear what happens to our reports.",
        "Managers now reply to every report within 2 working days, with what we learned.",
    ),
]


def seed_governance() -> None:
    if db.session.scalar(select(func.count()).select_from(Meeting)):
        return
    rng = random.Random(7)  # noqa: S311  (demo data, not security)
    for service in db.session.scalars(select(Service)).all():
        people = db.session.scalars(select(User).where(User.service_id == service.id)).all()
        leader = next(
            (p for p in people if p.has_role(Role.SUPERVISOR)), people[0] if people else None
        )
        if leader is None:
            continue
        _meetings(service, leader, people, rng)
        _pulse(service, rng)
        for index, (said, did) in enumerate(BOARD):
            db.session.add(
                YouSaidWeDid(
                    service_id=service.id,
                    you_said=said,
                    we_did=did,
                    created_by_id=leader.id,
                    changed_on=today() - timedelta(days=40 + 90 * index),
                )
            )
    db.session.commit()


def _meetings(service, leader, people, rng) -> None:
    for months_back in range(11, -1, -1):
        held = add_months(today().replace(day=1), -months_back) + timedelta(days=6)
        if held > today():
            continue
        kind = MeetingKind.GOVERNANCE if months_back % 3 == 0 else MeetingKind.TEAM
        meeting = Meeting(
            service_id=service.id,
            kind=kind,
            held_on=held,
            recorded_by_id=leader.id,
            title=f"{kind.label}, {held:%B %Y}",
            minutes="We thanked everyone who reported this month and talked about what we learned.",
            attendees=rng.sample(people, k=min(len(people), 3)),
        )
        meeting.learning_items = [
            MeetingLearningItem(theme=theme) for theme in rng.sample(THEMES, 2)
        ]
        db.session.add(meeting)


def _pulse(service, rng) -> None:
    """Answers that improve over the year, as speaking up becomes normal."""
    for months_back in range(11, -1, -1):
        month = add_months(today().replace(day=1), -months_back).strftime("%Y-%m")
        lift = (11 - months_back) / 11
        for _ in range(6):
            db.session.add(
                PulseResponse(
                    service_id=service.id,
                    month=month,
                    safe_to_report=min(5, round(2.5 + 2 * lift + rng.random())),
                    hear_back=min(5, round(2 + 2.5 * lift + rng.random())),
                    talk_without_blame=min(5, round(2.5 + 1.5 * lift + rng.random())),
                )
            )
