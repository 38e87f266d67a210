"""Demo checklists, observations and supervisions. Safe to run twice: each record is looked up
before it is made (observations by a fixed client_id, supervisions by supervisee)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.governance import rollups
from app.models import (
    Category,
    ChecklistTemplate,
    EscalationQuestion,
    ItemResult,
    Observation,
    Outcome,
    PhysicalHarm,
    Report,
    ReportKind,
    Service,
    Supervision,
    SupervisionPolicy,
    User,
)
from app.models.base import utcnow
from app.seed.checklists import CHECKLISTS, ESCALATION_QUESTIONS, MEDICATION
from app.supervision.checklists import ItemDraft, create_template
from app.supervision.observations import record_observation
from app.supervision.supervisions import EscalationCheck, record_supervision

FREQUENCY_WEEKS = {"Willow House": 8, "Riverside": 6}


def seed_checklists(service: Service) -> dict[str, ChecklistTemplate]:
    templates = {}
    for spec in CHECKLISTS:
        template = db.session.scalars(
            select(ChecklistTemplate).where(
                ChecklistTemplate.service_id == service.id,
                ChecklistTemplate.name == spec["name"],
                ChecklistTemplate.is_current,
            )
        ).first()
        if template is None:
            template = create_template(
                None,
                service_id=service.id,
                name=spec["name"],
                description=spec["description"],
                renewal_months=spec["renewal_months"],
                recheck_after_medication_report=spec.get("recheck_after_medication_report", False),
                items=[ItemDraft(t, g or "", c, m or "") for t, g, c, m in spec["items"]],
            )
        templates[spec["name"]] = template
    return templates


def _seed_service_settings(service: Service) -> None:
    if not db.session.scalars(
        select(SupervisionPolicy).where(SupervisionPolicy.service_id == service.id)
    ).first():
        db.session.add(
            SupervisionPolicy(
                service_id=service.id, every_weeks=FREQUENCY_WEEKS.get(service.name, 8)
            )
        )
    if not db.session.scalars(
        select(EscalationQuestion).where(EscalationQuestion.service_id == service.id)
    ).first():
        for text, good in ESCALATION_QUESTIONS:
            db.session.add(EscalationQuestion(service_id=service.id, text=text, good_answer=good))
    db.session.flush()


def _observe(
    key,
    observer,
    staff,
    template,
    days_ago,
    not_met=(),
    outcome=None,
    plan=(),
    reobserve_in=None,
    acknowledged=False,
    summary=None,
):
    """One finished observation, made through the same service as the web form."""
    client_id = f"demo-observation-{key}"
    if db.session.scalars(select(Observation).where(Observation.client_id == client_id)).first():
        return
    observed_on = date.today() - timedelta(days=days_ago)
    core = template.items_for([])
    items = {
        str(item.id): {
            "result": ItemResult.NOT_YET.value if index in not_met else ItemResult.MET.value,
            "note": "Talked this through together afterwards." if index in not_met else "",
        }
        for index, item in enumerate(core)
    }
    observation = record_observation(
        observer,
        {
            "staff_id": staff.id,
            "template_id": template.id,
            "observed_on": observed_on.isoformat(),
            "items": items,
            "outcome": (outcome or Outcome.COMPETENT).value,
            "summary": summary,
            "reobserve_on": (
                (date.today() + timedelta(days=reobserve_in)).isoformat() if reobserve_in else None
            ),
            "actions": [
                {"description": text, "due_on": (date.today() + timedelta(days=d)).isoformat()}
                for text, d in plan
            ],
        },
        client_id=client_id,
        channel="cli",
    )
    if acknowledged:
        observation.acknowledged_at = utcnow()
        db.session.commit()


def _supervise(supervisor, supervisee, weeks_ago, needs_support=False):
    if db.session.scalars(
        select(Supervision).where(Supervision.supervisee_id == supervisee.id)
    ).first():
        return
    questions = db.session.scalars(
        select(EscalationQuestion)
        .where(EscalationQuestion.service_id == supervisee.service_id)
        .order_by(EscalationQuestion.id)
        .limit(2)
    ).all()
    supervision = record_supervision(
        supervisor,
        supervisee,
        held_on=date.today() - timedelta(weeks=weeks_ago),
        discussion={
            "wellbeing": "Tired after a run of nights; we looked at the rota together.",
            "incidents": "Talked through the near miss on the evening round: the MAR was hard "
            "to read after the new cycle. The pharmacy now prints larger labels.",
            "support": "Would like to shadow the PEG round before the next observation.",
        },
        escalation=[
            EscalationCheck(
                q.id,
                "Gave a clear answer." if not (needs_support and i == 1) else "Was unsure.",
                "needs_support" if needs_support and i == 1 else "confident",
            )
            for i, q in enumerate(questions)
        ],
        actions=[("Read the on-call guide in the office folder", None)] if needs_support else [],
    )
    supervision.acknowledged_at = utcnow() if weeks_ago > 4 else None
    db.session.commit()


def _medication_report(reporter: User, days_ago: int) -> None:
    """An omission Priya reported after her last medication observation (NICE SC1 prompt): a
    dose signed for but never given reached the person, so it is an incident, not a near miss."""
    exists = db.session.scalars(
        select(Report).where(
            Report.reporter_id == reporter.id,
            Report.category == Category.MEDICATION,
            Report.description.startswith("The evening paracetamol"),
        )
    ).first()
    if exists:
        return
    report = Report(
        service_id=reporter.service_id,
        reporter_id=reporter.id,
        kind=ReportKind.INCIDENT,
        category=Category.MEDICATION,
        description="The evening paracetamol was signed for on the MAR but still in the "
        "blister pack: the dose was not given. I told the senior, who checked with the "
        "GP before the next dose.",
        occurred_on=date.today() - timedelta(days=days_ago),
        physical_harm=PhysicalHarm.NONE,
        follow_up={"error_type": "omission", "stage": "administration"},
    )
    db.session.add(report)
    rollups.count_new([report])
    db.session.commit()


def seed_supervision() -> None:
    services = db.session.scalars(select(Service).where(Service.name.in_(FREQUENCY_WEEKS))).all()
    templates = {}
    for service in services:
        templates[service.name] = seed_checklists(service)
        _seed_service_settings(service)
    db.session.commit()
    people = {u.email: u for u in db.session.scalars(select(User)).all()}
    tom = people.get("supervisor@willow.demo")
    grace = people.get("manager@willow.demo")
    priya = people.get("carer@willow.demo")
    jamie = people.get("newstarter@willow.demo")
    sam = people.get("manager@riverside.demo")
    lena = people.get("carer@riverside.demo")
    willow = templates.get("Willow House")
    if willow and tom and grace and priya and jamie:
        medication = willow[MEDICATION]
        _observe("priya-medication", tom, priya, medication, days_ago=380, acknowledged=True)
        _observe(
            "priya-moving",
            tom,
            priya,
            willow["Moving and handling"],
            days_ago=345,
            acknowledged=True,
        )
        _observe(
            "priya-infection",
            tom,
            priya,
            willow["Infection prevention and hand hygiene"],
            days_ago=20,
            not_met=(5,),
            outcome=Outcome.NOT_YET_COMPETENT,
            plan=[("Practise taking off PPE with Tom at the start of two shifts", 10)],
            reobserve_in=14,
            acknowledged=True,
            summary="Kind, careful personal care. Work on the order for taking PPE off.",
        )
        _observe(
            "jamie-medication",
            tom,
            jamie,
            medication,
            days_ago=1,
            not_met=(2, 8),
            outcome=Outcome.NOT_YET_COMPETENT,
            plan=[
                ("Shadow Tom on two morning rounds, checking the MAR together", 7),
                ("Read the PRN protocols for the people on your floor", 5),
            ],
            reobserve_in=14,
            summary="A good start. Slow down at the MAR check; not giving medicines alone yet.",
        )
        _observe("tom-medication", grace, tom, medication, days_ago=60, acknowledged=True)
        _observe(
            "tom-record-keeping",
            grace,
            tom,
            willow["Record keeping"],
            days_ago=400,
            acknowledged=True,
        )
        _medication_report(priya, days_ago=10)
        _supervise(tom, priya, weeks_ago=10, needs_support=True)
        _supervise(grace, tom, weeks_ago=3)
    riverside = templates.get("Riverside")
    if riverside and sam and lena:
        _observe(
            "lena-pbs",
            sam,
            lena,
            riverside["Least restrictive practice and PBS"],
            days_ago=90,
            acknowledged=True,
        )
        _supervise(sam, lena, weeks_ago=5)
