"""Demo restrictive practice over the past year, with best-interests decisions, PBS reviews
and safeguarding concerns with their escalation times. Safe to run twice: a service that
already has restrictive practice records is left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, select

from app.extensions import db
from app.governance import rollups
from app.models import (
    BestInterestsDecision,
    CapacityFinding,
    Category,
    ConcernType,
    LibertyAuthorisation,
    LibertyRoute,
    LibertyStatus,
    Organisation,
    PbsReview,
    PositiveRiskSession,
    Report,
    ReportKind,
    RestraintPosition,
    RestraintType,
    RestrictivePractice,
    ReviewKind,
    SafeguardingConcern,
    Service,
    User,
)
from app.seed.people import ORGANISATION

# (days ago, person, type, minutes, in plan, capacity, needs review)
WILLOW_RESTRICTIONS = [
    (340, "WH-07", RestraintType.PHYSICAL, 6, True, CapacityFinding.LACKS_CAPACITY, False),
    (320, "WH-07", RestraintType.INFORMAL, 40, False, CapacityFinding.NOT_CONSIDERED, True),
    (300, "WH-07", RestraintType.PHYSICAL, 4, True, CapacityFinding.LACKS_CAPACITY, False),
    (290, "WH-07", RestraintType.CHEMICAL, 0, True, CapacityFinding.LACKS_CAPACITY, False),
    (260, "WH-07", RestraintType.ENVIRONMENTAL, 120, False, CapacityFinding.LACKS_CAPACITY, True),
    (230, "WH-07", RestraintType.PHYSICAL, 3, True, CapacityFinding.LACKS_CAPACITY, False),
    (190, "WH-07", RestraintType.INFORMAL, 15, False, CapacityFinding.NOT_CONSIDERED, True),
    (150, "WH-07", RestraintType.PHYSICAL, 2, True, CapacityFinding.LACKS_CAPACITY, False),
    (90, "WH-07", RestraintType.CHEMICAL, 0, True, CapacityFinding.LACKS_CAPACITY, False),
    (25, "WH-07", RestraintType.PHYSICAL, 2, True, CapacityFinding.LACKS_CAPACITY, True),
    (280, "WH-12", RestraintType.MECHANICAL, 30, True, CapacityFinding.LACKS_CAPACITY, False),
    (200, "WH-12", RestraintType.MECHANICAL, 30, True, CapacityFinding.LACKS_CAPACITY, False),
    (120, "WH-12", RestraintType.ENVIRONMENTAL, 480, True, CapacityFinding.HAS_CAPACITY, False),
    (40, "WH-12", RestraintType.INFORMAL, 20, False, CapacityFinding.LACKS_CAPACITY, True),
    (210, "WH-03", RestraintType.ENVIRONMENTAL, 60, False, CapacityFinding.HAS_CAPACITY, False),
    (60, "WH-03", RestraintType.INFORMAL, 10, False, CapacityFinding.NOT_CONSIDERED, True),
]

# People with capacity for the decision: did they agree? (WH-03 did not: flagged.)
CONSENTED = {
    ("WH-12", RestraintType.ENVIRONMENTAL): True,
    ("WH-03", RestraintType.ENVIRONMENTAL): False,
}

RIVERSIDE_RESTRICTIONS = [
    (250, "RS-02", RestraintType.PHYSICAL, 5, True, CapacityFinding.LACKS_CAPACITY, False),
    (110, "RS-02", RestraintType.INFORMAL, 30, False, CapacityFinding.NOT_CONSIDERED, True),
    (30, "RS-02", RestraintType.PHYSICAL, 3, True, CapacityFinding.LACKS_CAPACITY, False),
]

# (hours ago raised, person, type, hours to escalation or None, CQC notified). CQC is told
# of every abuse or allegation (Regulation 18(2)(e)); the newest two are still waiting.
WILLOW_CONCERNS = [
    (24 * 300, "WH-07", ConcernType.PHYSICAL, 3, True),
    (24 * 210, "WH-12", ConcernType.NEGLECT, 30, True),
    (24 * 150, "WH-03", ConcernType.FINANCIAL, 6, True),
    (24 * 70, "WH-07", ConcernType.PSYCHOLOGICAL, 2, True),
    (24 * 20, "WH-12", ConcernType.ORGANISATIONAL, 20, True),
    (30, "WH-03", ConcernType.SELF_NEGLECT, None, False),
    (3, "WH-07", ConcernType.PHYSICAL, None, False),
]

RIVERSIDE_CONCERNS = [(24 * 100, "RS-02", ConcernType.FINANCIAL, 4, True)]

TRIED_FIRST = "Quiet space, a familiar member of staff, offered a walk in the garden."


def _at(days_ago: float, hour: int = 14) -> datetime:
    day = date.today() - timedelta(days=int(days_ago))
    return datetime.combine(day, time(hour), tzinfo=UTC)


# Best-interests decisions are decision-specific (MCA 2005 s.1-4): one per kind of restriction.
# (the decision, what the capacity assessment for it found, the least restrictive option)
DECISIONS = {
    RestraintType.PHYSICAL: (
        "Brief seated holds by staff they know, when they are at risk of serious harm.",
        "Lacks capacity to understand and weigh the risk of hitting their head when distressed.",
        "A seated hold of two minutes at most, after distraction and space have been tried.",
    ),
    RestraintType.CHEMICAL: (
        "PRN lorazepam as prescribed by the GP when distress does not ease with the PBS plan.",
        "Lacks capacity to understand and weigh what the medicine does and its side effects.",
        "Only after every step in the PBS plan; the GP reviews its use every month.",
    ),
    RestraintType.MECHANICAL: (
        "A lap belt on the wheelchair on trips outside the home.",
        "Lacks capacity to understand the risk of sliding from the wheelchair on slopes.",
        "The belt on trips outside only, off whenever the chair is still.",
    ),
    RestraintType.ENVIRONMENTAL: (
        "A keypad on the front door at night.",
        "Lacks capacity to weigh the risk of the road outside at night.",
        "The keypad at night only; staff go out with them whenever they ask.",
    ),
}


def _best_interests(service: Service, reference: str, kind: RestraintType, manager: User | None):
    decided = date.today() - timedelta(days=345)
    decision, capacity, least = DECISIONS[kind]
    record = BestInterestsDecision(
        service_id=service.id,
        person_reference=reference,
        decision=decision,
        capacity_assessment=capacity + " Assessed by the senior carer who gives the care.",
        regain_capacity="Unlikely to regain capacity for this decision; it cannot wait.",
        person_involvement="Shown pictures; they pointed to the garden and to their keyworker.",
        wishes_and_values="Loves being outdoors; dislikes being touched by people they don't know.",
        consulted="Sister (attorney under a health and welfare LPA, who made the decision with "
        "us), GP, keyworker.",
        least_restrictive_option=least,
        decided_on=decided,
        review_on=decided + timedelta(days=365),
        recorded_by_id=manager.id if manager else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _restrictions(service, rows, reporter, manager) -> None:
    decisions: dict[tuple[str, RestraintType], BestInterestsDecision] = {}
    reports: dict[str, list[Report]] = {}
    for days, reference, kind, minutes, in_plan, capacity, review in rows:
        started = _at(days)
        report = Report(
            service_id=service.id,
            reporter_id=reporter.id if reporter else None,
            kind=ReportKind.INCIDENT,
            category=Category.RESTRICTIVE_PRACTICE,
            description=f"{kind.short_label} used with {reference}.",
            occurred_at=started,
            occurred_on=started.date(),
            person_reference=reference,
            created_at=started + timedelta(hours=1),
        )
        db.session.add(report)
        rollups.count_new([report])  # flushes the report first
        reports.setdefault(reference, []).append(report)
        decision = None
        if capacity is CapacityFinding.LACKS_CAPACITY and kind is not RestraintType.INFORMAL:
            if (reference, kind) not in decisions:
                decisions[reference, kind] = _best_interests(service, reference, kind, manager)
            decision = decisions[reference, kind]
        db.session.add(
            RestrictivePractice(
                service_id=service.id,
                report_id=report.id,
                person_reference=reference,
                restraint_type=kind,
                position=RestraintPosition.SEATED if kind is RestraintType.PHYSICAL else None,
                what_happened=report.description,
                started_at=started,
                duration_minutes=minutes,
                in_plan=in_plan,
                tried_first=TRIED_FIRST,
                capacity=capacity,
                consented=CONSENTED.get((reference, kind))
                if capacity is CapacityFinding.HAS_CAPACITY
                else None,
                best_interests_id=decision.id if decision else None,
                debrief_offered_person=True,
                debrief_offered_staff=True,
                review_needed=review,
                recorded_by_id=manager.id if manager else None,
                created_at=started + timedelta(hours=3),
            )
        )
    for reference, person_reports in reports.items():
        _reviews(service, reference, person_reports, manager)


def _reviews(service, reference, person_reports, manager) -> None:
    """A review after each informal restriction, linking the reports up to it."""
    for report in person_reports:
        if "Informal" not in report.description:
            continue
        reviewed = report.occurred_on + timedelta(days=10)
        if reviewed > date.today():
            continue
        db.session.add(
            PbsReview(
                service_id=service.id,
                person_reference=reference,
                kind=ReviewKind.PBS_PLAN,
                reviewed_on=reviewed,
                next_review_on=reviewed + timedelta(days=90),
                what_changed="Added early signs of distress and what helps; the team agreed to "
                "offer the garden before any restriction. The workaround is no longer used.",
                recorded_by_id=manager.id if manager else None,
                reports=[r for r in person_reports if r.occurred_on <= report.occurred_on],
            )
        )
        db.session.add(
            PositiveRiskSession(
                service_id=service.id,
                person_reference=reference,
                held_on=reviewed - timedelta(days=3),
                attendees="Keyworker, senior carer, manager, their sister by phone.",
                person_wanted="To go out to the garden on their own in the evening.",
                risks="The side gate opens onto the road; falls on the wet path.",
                least_restrictive_option="Gate latch fitted; path light; staff check from the "
                "window instead of following.",
                next_time="Ask them first what would help, and try the garden before anything.",
                facilitator_id=manager.id if manager else None,
            )
        )


def _concerns(service, rows, manager) -> None:
    now = datetime.now(UTC)
    for hours_ago, reference, kind, to_escalate, cqc in rows:
        raised = now - timedelta(hours=hours_ago)
        escalated = raised + timedelta(hours=to_escalate) if to_escalate is not None else None
        db.session.add(
            SafeguardingConcern(
                service_id=service.id,
                person_reference=reference,
                concern_type=kind,
                what_happened=f"{kind.label} concern raised by staff about {reference}.",
                raised_at=raised,
                escalated_at=escalated,
                escalated_to="Duty safeguarding team, county council" if escalated else "",
                la_reference=f"SG-{raised:%y%m%d}-{reference}" if escalated else "",
                cqc_notified_at=raised + timedelta(hours=2) if cqc else None,
                outcome="Enquiry closed; the care plan was updated." if hours_ago > 24 * 60 else "",
                recorded_by_id=manager.id if manager else None,
                created_at=raised,
            )
        )


# (person, route, days since applied, days since the outcome or None, days left or None,
#  conditions). Willow House is a care home (DoLS); Riverside is supported living, where
# the Court of Protection decides on the council's application.
LIBERTY = {
    "Willow House": [
        ("WH-07", LibertyRoute.DOLS_STANDARD, 200, 170, 195,
         "Weekly trips to the garden centre with staff he knows. Review PRN use monthly."),
        ("WH-12", LibertyRoute.DOLS_STANDARD, 380, 350, 15, "Family visits at any time."),
    ],
    "Riverside": [("RS-02", LibertyRoute.COURT_OF_PROTECTION, 60, None, None, "")],
}  # fmt: skip


def _liberty(service: Service, manager: User | None) -> None:
    today = date.today()
    for reference, route, applied, outcome, left, conditions in LIBERTY.get(service.name, []):
        outcome_on = today - timedelta(days=outcome) if outcome is not None else None
        db.session.add(
            LibertyAuthorisation(
                service_id=service.id,
                person_reference=reference,
                route=route,
                aged_18_or_over=True,
                applied_on=today - timedelta(days=applied),
                applied_to="Shire County Council (supervisory body)"
                if route.is_dols
                else "Shire County Council, which commissions the care, applied to the court",
                status=LibertyStatus.AUTHORISED if outcome_on else LibertyStatus.APPLIED,
                outcome_on=outcome_on,
                expires_on=today + timedelta(days=left) if left is not None else None,
                conditions=conditions,
                cqc_notified_on=outcome_on + timedelta(days=1) if outcome_on else None,
                recorded_by_id=manager.id if manager else None,
            )
        )


def seed_safeguarding() -> None:
    for name, restrictions, concerns, manager_email, carer_email in (
        (
            "Willow House",
            WILLOW_RESTRICTIONS,
            WILLOW_CONCERNS,
            "manager@willow.demo",
            "carer@willow.demo",
        ),
        (
            "Riverside",
            RIVERSIDE_RESTRICTIONS,
            RIVERSIDE_CONCERNS,
            "manager@riverside.demo",
            "carer@riverside.demo",
        ),
    ):
        service = db.session.scalars(
            select(Service)
            .join(Organisation)
            .where(Service.name == name, Organisation.name == ORGANISATION)
        ).first()
        if service is None:
            continue
        if db.session.scalar(select(exists().where(RestrictivePractice.service_id == service.id))):
            continue
        manager = db.session.scalars(select(User).where(User.email == manager_email)).first()
        carer = db.session.scalars(select(User).where(User.email == carer_email)).first()
        _restrictions(service, restrictions, carer, manager)
        _concerns(service, concerns, manager)
        _liberty(service, manager)
    db.session.commit()
