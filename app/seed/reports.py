"""Twelve months of demo reports for each demo service.

The shape is the one a learning culture shows: reporting rises in the first months (near
misses especially), then repeats and medication incidents fall as learning takes hold.
Deterministic (a seeded random generator), and added only once per service.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.governance import rollups
from app.models import Organisation, Role, Service, User
from app.models.reports import (
    Category,
    Factor,
    PhysicalHarm,
    Report,
    ReportKind,
    ReportStatus,
    TimeBracket,
)
from app.reports.services import repeat_window_days

MONTHS = 12
# Per month, oldest first.
NEAR_MISSES = (2, 4, 6, 9, 11, 13, 14, 15, 15, 16, 16, 17)
INCIDENTS = (7, 7, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4)
MEDICATION_SHARE = (0.45, 0.45, 0.4, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.15, 0.1, 0.1)
REPEAT_CHANCE = (0.7, 0.7, 0.65, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05)
OTHER_CATEGORIES = (
    Category.FALLS, Category.FALLS, Category.BEHAVIOUR, Category.PRESSURE_CARE,
    Category.COMMUNICATION, Category.MOVING_HANDLING, Category.MISSED_VISIT,
    Category.EQUIPMENT, Category.NUTRITION, Category.INFECTION, Category.SAFEGUARDING,
)  # fmt: skip
PEOPLE = ("WH-03", "WH-07", "WH-12", "WH-15", "WH-21", "RS-02", "RS-05", "RS-09")
NEAR_MISS, INCIDENT = ReportKind.NEAR_MISS, ReportKind.INCIDENT
NONE, LOW, MODERATE = PhysicalHarm.NONE, PhysicalHarm.LOW, PhysicalHarm.MODERATE


@dataclass(frozen=True)
class Story:
    """One demo event whose kind, harm and follow-up answers fit what it says happened."""

    kind: ReportKind
    description: str
    harms: tuple[PhysicalHarm, ...] = ()  # for incidents: the harms the story allows
    follow_up: dict = field(default_factory=dict)


STORIES: dict[Category, tuple[Story, ...]] = {
    Category.MEDICATION: (
        Story(
            NEAR_MISS,
            "Evening medicines nearly given to the wrong person: two similar names on the "
            "trolley. The photo check on the MAR chart stopped it.",
            follow_up={"error_type": "wrong_person", "stage": "administration"},
        ),
        Story(
            NEAR_MISS,
            "The pharmacy delivered the wrong strength of tablets; spotted when the delivery "
            "was checked in.",
            follow_up={"error_type": "wrong_dose", "stage": "dispensing"},
        ),
        Story(
            INCIDENT,
            "Afternoon dose missed because the chart was in the office during handover.",
            (NONE, LOW),
            {"error_type": "omission", "stage": "administration"},
        ),
        Story(
            INCIDENT,
            "Morning tablets found on the floor by the chair after the round: the dose was "
            "not taken. The GP was asked for advice.",
            (NONE,),
            {"error_type": "omission", "stage": "administration"},
        ),
    ),
    Category.FALLS: (
        Story(
            NEAR_MISS,
            "Started to stand without the walking frame; a carer reached them before they fell.",
        ),
        Story(
            INCIDENT,
            "Found sitting on the floor by the bed; the sensor mat was unplugged.",
            (NONE, LOW),
            {"witnessed": "no", "injury": "no"},
        ),
        Story(
            INCIDENT,
            "Slipped in the bathroom, the floor was still wet after cleaning. Grazed knee.",
            (LOW,),
            {"witnessed": "yes", "injury": "yes"},
        ),
        Story(
            INCIDENT,
            "Fell in the corridor at night; the hospital X-ray found a broken wrist.",
            (MODERATE,),
            {"witnessed": "no", "injury": "yes"},
        ),
    ),
    Category.BEHAVIOUR: (
        Story(
            NEAR_MISS,
            "Two people started arguing over the television; staff stepped in before anyone "
            "was hurt.",
        ),
        Story(
            INCIDENT,
            "Became distressed at tea time when the lounge was noisy.",
            (NONE,),
            {"helped": "The quiet lounge and their music."},
        ),
    ),
    Category.PRESSURE_CARE: (
        Story(
            NEAR_MISS,
            "Air mattress pump found switched off at the wall; switched on, skin checked, "
            "no marks.",
        ),
        Story(
            INCIDENT,
            "Red area on the heel noticed during personal care: skin intact and it does not "
            "fade when pressed (category 1).",
            (LOW,),
        ),
    ),
    Category.COMMUNICATION: (
        Story(
            NEAR_MISS,
            "Handover missed that the GP had changed the dose; picked up at the MAR check "
            "before the next round.",
        ),
    ),
    Category.MOVING_HANDLING: (
        Story(NEAR_MISS, "The hoist sling was the wrong size; noticed before the transfer."),
    ),
    Category.MISSED_VISIT: (
        Story(
            INCIDENT,
            "Lunchtime visit was 90 minutes late because of the rota gap.",
            (NONE,),
        ),
    ),
    Category.EQUIPMENT: (
        Story(
            NEAR_MISS, "Call bell in room 4 did not ring at the station; found on the daily check."
        ),
    ),
    Category.NUTRITION: (
        Story(NEAR_MISS, "A tray without the soft diet label was spotted before it was served."),
        Story(
            INCIDENT,
            "Little drunk all afternoon and the fluid chart was not kept; the GP was asked to "
            "check for dehydration.",
            (LOW,),
        ),
    ),
    Category.INFECTION: (
        Story(NEAR_MISS, "No gloves left in the sluice room on the night shift; restocked."),
    ),
    Category.SAFEGUARDING: (
        Story(
            INCIDENT,
            "Unexplained bruise on the forearm noticed when dressing.",
            (LOW,),
            {"concern_type": "physical", "escalated": "yes"},
        ),
    ),
}
THANKS = "Thank you for reporting this so quickly. It helps us keep everyone safe."
LEARNING = {
    Category.MEDICATION: "Every chart now has a photo, and nobody interrupts the medicines round.",
    Category.FALLS: "Sensor mats are checked at every handover, and floors are signed when wet.",
    Category.SAFEGUARDING: "Passed to the council's safeguarding team the same day, and CQC was "
    "told. Any new mark is now recorded on a body map at personal care.",
}
DEFAULT_LEARNING = "We talked this through at the team meeting and changed the checklist."


def _month_start(now: datetime, months_ago: int) -> datetime:
    return now - timedelta(days=30 * months_ago)


def _category(rng: random.Random, month: int, kind: ReportKind) -> Category:
    """A category with at least one story of this kind (a safeguarding concern is never a
    near miss; a missed visit always reached the person)."""
    share = MEDICATION_SHARE[month] if kind is ReportKind.INCIDENT else 0.3
    if rng.random() < share:
        return Category.MEDICATION
    fitting = [c for c in OTHER_CATEGORIES if any(s.kind is kind for s in STORIES[c])]
    return rng.choice(fitting)


def _story(rng: random.Random, category: Category, kind: ReportKind) -> Story:
    return rng.choice([s for s in STORIES[category] if s.kind is kind])


def _notifications(report: Report, sent_on) -> None:
    """Reviewed demo reports have sent every CQC notification they needed, with the date."""
    report.cqc_notifications = {
        kind.value: sent_on.isoformat()
        for kind, required in report.notifications_due().items()
        if required or report.physical_harm is PhysicalHarm.MODERATE
    }
    if report.category is Category.SAFEGUARDING:
        report.safeguarding_referred_on = sent_on


def _review(rng: random.Random, report: Report, now: datetime) -> None:
    """Older reports have been looked at, thanked, learned from and mostly closed."""
    age = now - report.created_at
    if age < timedelta(days=3):
        return
    report.seen_at = report.created_at + timedelta(hours=rng.randint(2, 30))
    if age < timedelta(days=10) and rng.random() < 0.5:
        report.status = ReportStatus.UNDER_REVIEW
        return
    feedback_at = report.seen_at + timedelta(hours=rng.randint(1, 60))
    report.thanks_message = THANKS
    report.thanked_at = feedback_at
    report.learning_message = LEARNING.get(report.category, DEFAULT_LEARNING)
    report.learning_outcome = report.learning_message
    report.learning_shared_at = feedback_at
    report.first_feedback_at = feedback_at
    report.feedback_updated_at = feedback_at
    report.feedback_read_at = feedback_at + timedelta(hours=8)
    report.contributory_factors = rng.sample([f.value for f in Factor], k=2)
    # A safeguarding concern is for the local authority's enquiry, not a just culture review.
    if report.category is not Category.SAFEGUARDING:
        report.just_culture_outcome = "system"
    _notifications(report, report.seen_at.date())
    if age > timedelta(days=45):
        report.status = ReportStatus.CLOSED
        report.closed_at = feedback_at + timedelta(days=7)
    else:
        report.status = ReportStatus.LEARNING_SHARED


def _seed_service(service: Service, reporters: list[User], now: datetime) -> int:
    rng = random.Random(f"learnloop-demo-{service.name}")  # noqa: S311  (demo data, not security)
    made: list[Report] = []
    recent: list[Report] = []
    by_person: dict[tuple[str, Category], list[Report]] = {}
    for month in range(MONTHS):
        start = _month_start(now, MONTHS - month)
        kinds = [ReportKind.NEAR_MISS] * NEAR_MISSES[month] + [ReportKind.INCIDENT] * INCIDENTS[
            month
        ]
        plan = sorted(
            (start + timedelta(minutes=rng.randint(0, 30 * 24 * 60 - 1)), kind) for kind in kinds
        )
        for created_at, kind in plan:
            if created_at > now - timedelta(hours=1):
                continue
            category = _category(rng, month, kind)
            story = _story(rng, category, kind)
            person = f"{rng.choice(PEOPLE)}-{rng.randint(10, 99)}" if rng.random() < 0.6 else None
            recent_ones = [
                r
                for r in recent
                if r.category is category and created_at - r.created_at < timedelta(days=25)
            ]
            if recent_ones and rng.random() < REPEAT_CHANCE[month]:
                earlier = rng.choice(recent_ones)
                person = earlier.person_reference
            anonymous = rng.random() < 0.1
            reporter = rng.choice(reporters)
            report = Report(
                service_id=service.id,
                reporter_id=None if anonymous else reporter.id,
                anonymous=anonymous,
                kind=kind,
                category=category,
                description=story.description,
                time_bracket=TimeBracket.EXACT,
                occurred_at=created_at - timedelta(minutes=rng.randint(5, 120)),
                occurred_on=created_at.date(),
                physical_harm=rng.choice(story.harms) if kind is ReportKind.INCIDENT else None,
                person_reference=person,
                follow_up=dict(story.follow_up),
                status=ReportStatus.NEW,
                created_at=created_at,
                contributory_factors=[],
                candour_steps={},
            )
            if earlier := _earlier(by_person, person, category, created_at):
                report.is_repeat = True
                report.repeat_of = earlier
            _review(rng, report, now)
            db.session.add(report)
            if person:
                recent.append(report)
                by_person.setdefault((person, category), []).append(report)
            made.append(report)
    rollups.count_new(made)
    return len(made)


def _earlier(by_person: dict, person: str | None, category: Category, at: datetime):
    """The latest earlier report about the same person and category within the window."""
    window = timedelta(days=repeat_window_days())
    earlier = [r for r in by_person.get((person, category), ()) if at - window <= r.created_at < at]
    return earlier[-1] if earlier else None


def seed_reports() -> int:
    """Add the year of reports to each demo service that has none yet; return how many."""
    from app.seed.people import ORGANISATION

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    services = db.session.scalars(
        select(Service).join(Organisation).where(Organisation.name == ORGANISATION)
    ).all()
    created = 0
    for service in services:
        has_reports = db.session.scalar(
            select(func.count(Report.id)).where(Report.service_id == service.id)
        )
        if has_reports:
            continue
        reporters = list(
            db.session.scalars(
                select(User).where(User.service_id == service.id, User.role == Role.STAFF)
            )
        ) or list(db.session.scalars(select(User).where(User.service_id == service.id)))
        if reporters:
            created += _seed_service(service, reporters, now)
    db.session.commit()
    return created
