"""A hand-countable half year (January to June 2026) of debriefs, restrictions, safeguarding
concerns, supervision, observations, induction reading and unsafe workarounds, for the
dashboard's learning figures and the evidence pack. Counts are written out in each test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.extensions import db
from app.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    CapacityFinding,
    ChecklistTemplate,
    ConcernType,
    Debrief,
    InductionStep,
    Observation,
    ObservationStatus,
    Outcome,
    ReadAcknowledgement,
    RestraintType,
    RestrictivePractice,
    Role,
    SafeguardingConcern,
    Service,
    Supervision,
    SupervisionPolicy,
    User,
    WorkaroundFlag,
    WorkaroundStatus,
)
from tests.functional.governance_data import add_reports, incident, report_row, when


def at(year: int, month: int, day: int = 10, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Starters:
    march: int
    may: int
    june: int


def person(service_id: int, email: str, role=Role.STAFF, started_on=None) -> User:
    user = User(
        name=email.split("@")[0].title(),
        email=email,
        role=role,
        service_id=service_id,
        started_on=started_on,
    )
    user.set_password("not-used-here-1")
    db.session.add(user)
    db.session.flush()
    return user


def debrief(service_id, facilitator_id, held_on, *, serious=False, leader=False, summary=None):
    db.session.add(
        Debrief(
            service_id=service_id,
            held_on=held_on,
            facilitator_id=facilitator_id,
            created_by_id=facilitator_id,
            needs_leader=serious,
            leader_attended=leader,
            learning_summary=summary,
            closed_at=at(held_on.year, held_on.month, held_on.day) if summary else None,
        )
    )


def restriction(service_id, started_at, kind=RestraintType.PHYSICAL, in_plan=True):
    db.session.add(
        RestrictivePractice(
            service_id=service_id,
            person_reference="P-1",
            restraint_type=kind,
            started_at=started_at,
            duration_minutes=5,
            in_plan=in_plan,
            capacity=CapacityFinding.HAS_CAPACITY,
        )
    )


def concern(service_id, raised_at, hours_to_escalate=None):
    db.session.add(
        SafeguardingConcern(
            service_id=service_id,
            person_reference="P-1",
            concern_type=ConcernType.NEGLECT,
            what_happened="A missed visit.",
            raised_at=raised_at,
            escalated_at=(
                raised_at + timedelta(hours=hours_to_escalate)
                if hours_to_escalate is not None
                else None
            ),
        )
    )


def workaround(service_id, raised_at, status=WorkaroundStatus.RAISED, resolved_at=None):
    db.session.add(
        WorkaroundFlag(
            service_id=service_id,
            description="We prop the fire door to hear the call bell.",
            status=status,
            raised_at=raised_at,
            resolved_at=resolved_at,
        )
    )


def observe(
    template,
    staff_id,
    observer_id,
    observed_on,
    outcome,
    reobserve_on=None,
    status=ObservationStatus.COMPLETED,
):
    db.session.add(
        Observation(
            service_id=template.service_id,
            template_id=template.id,
            staff_id=staff_id,
            observer_id=observer_id,
            observed_on=observed_on,
            outcome=outcome,
            reobserve_on=reobserve_on,
            status=status,
        )
    )


def medication_checklist(service_id: int) -> tuple[ChecklistTemplate, ChecklistTemplate]:
    """Version 1 (no longer current) and version 2 (current) of a medication checklist."""
    first = ChecklistTemplate(
        service_id=service_id,
        name="Medication administration",
        renewal_months=12,
        recheck_after_medication_report=True,
        is_current=False,
        version=1,
    )
    db.session.add(first)
    db.session.flush()
    first.lineage_id = first.id
    second = ChecklistTemplate(
        service_id=service_id,
        name="Medication administration",
        renewal_months=12,
        recheck_after_medication_report=True,
        is_current=True,
        version=2,
        lineage_id=first.id,
    )
    db.session.add(second)
    db.session.flush()
    return first, second


def article(
    service: Service,
    slug: str,
    kind=ArticleKind.GUIDE,
    status=ArticleStatus.PUBLISHED,
    version=1,
    published_at=None,
) -> Article:
    item = Article(
        organisation_id=service.organisation_id,
        service_id=service.id,
        kind=kind,
        slug=slug,
        title=slug.replace("-", " ").capitalize(),
        summary=f"About {slug.replace('-', ' ')}.",
        body="Text.",
        body_html="<p>Text.</p>",
        status=status,
        version=version,
        published_at=published_at,
    )
    db.session.add(item)
    db.session.flush()
    return item


def read(user: User, item: Article, version: int) -> None:
    db.session.add(
        ReadAcknowledgement(
            user_id=user.id, service_id=user.service_id, article_id=item.id, version=version
        )
    )


def build_learning_half_year(world) -> Starters:
    """Willow House, January to June 2026 (each test spells out what it counts), and a little
    at Riverside that Willow's manager must never see."""
    w, r = world.willow.id, world.riverside.id
    willow = db.session.get(Service, w)
    lead = world.manager.id

    # Debriefs: Jan 15 serious with a leader (closed), Jan 20, Mar 3 serious without a leader,
    # Jun 2 (closed). Riverside: Mar 5 serious with a leader.
    debrief(
        w,
        lead,
        date(2026, 1, 15),
        serious=True,
        leader=True,
        summary="Dry-mop the floor after cleaning and put the sign out.",
    )
    debrief(w, lead, date(2026, 1, 20))
    debrief(w, lead, date(2026, 3, 3), serious=True)
    debrief(w, lead, date(2026, 6, 2), summary="Two staff check the MAR chart before PRN.")
    debrief(
        r,
        world.riverside_manager.id,
        date(2026, 3, 5),
        serious=True,
        leader=True,
        summary="Riverside debrief learning.",
    )

    # Restrictions: Jan physical, Jan physical unplanned, Feb chemical, Mar informal (unplanned),
    # Apr environmental, May mechanical, Jun physical. Riverside: Feb physical unplanned.
    restriction(w, at(2026, 1, 10))
    restriction(w, at(2026, 1, 12), in_plan=False)
    restriction(w, at(2026, 2, 10), RestraintType.CHEMICAL)
    restriction(w, at(2026, 3, 10), RestraintType.INFORMAL, in_plan=False)
    restriction(w, at(2026, 4, 10), RestraintType.ENVIRONMENTAL)
    restriction(w, at(2026, 5, 10), RestraintType.MECHANICAL)
    restriction(w, at(2026, 6, 10))
    restriction(r, at(2026, 2, 11), in_plan=False)

    # Safeguarding concerns escalated after 2, 30 and 6 hours; one from June not escalated.
    concern(w, at(2026, 1, 10), 2)
    concern(w, at(2026, 2, 10), 30)
    concern(w, at(2026, 4, 10), 6)
    concern(w, at(2026, 6, 28))
    concern(r, at(2026, 3, 10), 100)

    # Unsafe workarounds: Jan (resolved Feb), Feb (discussed), May (resolved May), Jun (raised).
    workaround(w, at(2026, 1, 5), WorkaroundStatus.RESOLVED, at(2026, 2, 2))
    workaround(w, at(2026, 2, 10), WorkaroundStatus.DISCUSSED)
    workaround(w, at(2026, 5, 3), WorkaroundStatus.RESOLVED, at(2026, 5, 20))
    workaround(w, at(2026, 6, 1))
    workaround(r, at(2026, 3, 1))

    # New starters at Willow: March (care worker), May (care worker), June (supervisor).
    march = person(w, "march@willow.example.org", started_on=date(2026, 3, 1))
    may = person(w, "may@willow.example.org", started_on=date(2026, 5, 15))
    june = person(w, "june@willow.example.org", Role.SUPERVISOR, date(2026, 6, 10))
    person(w, "earlier@willow.example.org", started_on=date(2025, 12, 1))
    person(r, "river@riverside.example.org", started_on=date(2026, 2, 1))

    # Supervision every 10 weeks at Willow. Care worker: Jan 15 and Apr 25 (acknowledged);
    # supervisor: Feb 10; May's starter: Jul 15 (after the range). Riverside: Jun 1.
    db.session.add(SupervisionPolicy(service_id=w, every_weeks=10))
    for supervisee, held_on, acknowledged in (
        (world.staff.id, date(2026, 1, 15), False),
        (world.staff.id, date(2026, 4, 25), True),
        (world.supervisor.id, date(2026, 2, 10), False),
        (may.id, date(2026, 7, 15), False),
    ):
        db.session.add(
            Supervision(
                service_id=w,
                supervisor_id=lead,
                supervisee_id=supervisee,
                held_on=held_on,
                discussion={},
                acknowledged_at=at(2026, 5, 1) if acknowledged else None,
            )
        )
    db.session.add(
        Supervision(
            service_id=r,
            supervisor_id=world.riverside_manager.id,
            supervisee_id=world.riverside_staff.id,
            held_on=date(2026, 6, 1),
            discussion={},
        )
    )

    # Medication competency (as at 30 June 2026): care worker competent on v1 in Aug 2025 (in
    # date); supervisor competent Jun 2025 (renewal passed); March's starter competent Apr 10
    # but to be re-observed by Jun 1 (passed); May's starter not yet (May 10), then competent
    # (Jun 20); June's starter never observed. Moving and handling never counts.
    first, current = medication_checklist(w)
    handling = ChecklistTemplate(service_id=w, name="Moving and handling", renewal_months=12)
    db.session.add(handling)
    db.session.flush()
    handling.lineage_id = handling.id
    observe(first, world.staff.id, lead, date(2025, 8, 1), Outcome.COMPETENT)
    observe(current, world.supervisor.id, lead, date(2025, 6, 15), Outcome.COMPETENT)
    observe(current, march.id, lead, date(2026, 4, 10), Outcome.COMPETENT, date(2026, 6, 1))
    observe(current, may.id, lead, date(2026, 5, 10), Outcome.NOT_YET_COMPETENT)
    observe(current, may.id, lead, date(2026, 6, 20), Outcome.COMPETENT)
    observe(current, june.id, lead, date(2026, 6, 25), None, status=ObservationStatus.DRAFT)
    observe(handling, june.id, lead, date(2026, 6, 26), Outcome.COMPETENT)

    # Induction pathway: two published steps (the second at version 2) and a draft.
    # March's starter read both current versions; May's read the second at version 1 only.
    first_step = article(willow, "welcome-to-willow")
    second_step = article(willow, "how-we-report", version=2)
    draft_step = article(willow, "draft-step", status=ArticleStatus.DRAFT)
    for position, item in enumerate((first_step, second_step, draft_step), start=1):
        db.session.add(InductionStep(service_id=w, article_id=item.id, position=position))
    read(march, first_step, 1)
    read(march, second_step, 2)
    read(may, first_step, 1)
    read(may, second_step, 1)

    # A learning bulletin published in April, read by the care worker and March's starter.
    bulletin = article(
        willow, "double-checks-for-medicines", ArticleKind.BULLETIN, published_at=at(2026, 4, 1)
    )
    staff = db.session.get(User, world.staff.id)
    read(staff, bulletin, 1)
    read(march, bulletin, 1)

    # Learning from reviews: a named report (its person reference is taken out), an anonymous
    # one (never shown) and Riverside's (not Willow's).
    add_reports(
        [
            incident(
                w,
                when(2026, 2, 3),
                person_reference="JB-12",
                learning_outcome="JB-12 was nearly given a double dose; two staff now "
                "check the MAR chart.",
            ),
            incident(
                w,
                when(2026, 3, 3),
                anonymous=True,
                reporter_id=None,
                learning_outcome="Anonymous report learning, never shown.",
            ),
            report_row(r, when(2026, 3, 4), learning_outcome="Riverside learning."),
        ]
    )
    db.session.commit()
    return Starters(march.id, may.id, june.id)


def add_many_learning_records(service_ids: list[int], facilitator_id: int, per_service: int):
    """Many of every record the learning figures count, across `service_ids`, in a few bulk
    inserts: for the query-count test, so a figure that loops over rows shows up."""
    from sqlalchemy import insert

    debriefs, restrictions, concerns, flags, supervisions, observations = [], [], [], [], [], []
    for service_id in service_ids:
        staff = [
            person(service_id, f"bulk{service_id}-{n}@example.org", started_on=date(2026, 1 + n, 1))
            for n in range(3)
        ]
        _first, current = medication_checklist(service_id)
        for n in range(per_service):
            month, day = 1 + n % 12, 1 + n % 28
            debriefs.append(
                {
                    "service_id": service_id,
                    "held_on": date(2026, month, day),
                    "facilitator_id": facilitator_id,
                    "created_by_id": facilitator_id,
                    "needs_leader": n % 3 == 0,
                    "leader_attended": n % 6 == 0,
                }
            )
            restrictions.append(
                {
                    "service_id": service_id,
                    "person_reference": f"P-{n}",
                    "restraint_type": list(RestraintType)[n % len(RestraintType)],
                    "started_at": at(2026, month, day),
                    "duration_minutes": 5,
                    "in_plan": n % 2 == 0,
                    "capacity": CapacityFinding.HAS_CAPACITY,
                }
            )
            concerns.append(
                {
                    "service_id": service_id,
                    "person_reference": f"P-{n}",
                    "concern_type": ConcernType.NEGLECT,
                    "what_happened": "A missed visit.",
                    "raised_at": at(2026, month, day),
                    "escalated_at": at(2026, month, day, 12 + n % 10),
                }
            )
            flags.append(
                {
                    "service_id": service_id,
                    "description": "A workaround.",
                    "status": WorkaroundStatus.RAISED,
                    "raised_at": at(2026, month, day),
                }
            )
            supervisions.append(
                {
                    "service_id": service_id,
                    "supervisor_id": facilitator_id,
                    "supervisee_id": staff[n % 3].id,
                    "held_on": date(2026, month, day),
                    "discussion": {},
                }
            )
            observations.append(
                {
                    "service_id": service_id,
                    "template_id": current.id,
                    "staff_id": staff[n % 3].id,
                    "observer_id": facilitator_id,
                    "observed_on": date(2026, month, day),
                    "outcome": Outcome.COMPETENT,
                    "status": ObservationStatus.COMPLETED,
                    "modules": [],
                }
            )
    for model, rows in (
        (Debrief, debriefs),
        (RestrictivePractice, restrictions),
        (SafeguardingConcern, concerns),
        (WorkaroundFlag, flags),
        (Supervision, supervisions),
        (Observation, observations),
    ):
        db.session.execute(insert(model), rows)
    db.session.commit()
