"""The demo data for supervision: six checklists, real observations and supervisions, twice safe."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import ChecklistTemplate, Observation, Outcome, Service, Supervision, User
from app.seed import seed_demo
from app.supervision.supervisions import team_due


def _counts():
    return [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (ChecklistTemplate, Observation, Supervision)
    ]


def test_demo_has_checklists_observations_and_overdue_supervisions(app):
    with app.app_context():
        seed_demo()
        first = _counts()
        seed_demo()
        assert _counts() == first
        willow = db.session.scalars(select(Service).where(Service.name == "Willow House")).one()
        names = db.session.scalars(
            select(ChecklistTemplate.name).where(ChecklistTemplate.service_id == willow.id)
        ).all()
        assert len(names) == 6
        medication = db.session.scalars(
            select(ChecklistTemplate).where(
                ChecklistTemplate.service_id == willow.id,
                ChecklistTemplate.name == "Medication administration",
            )
        ).one()
        assert len(medication.items_for([])) == 10
        assert "Controlled drugs" in medication.add_on_modules
        not_yet = db.session.scalars(
            select(Observation).where(Observation.outcome == Outcome.NOT_YET_COMPETENT)
        ).all()
        assert not_yet and all(o.actions and o.reobserve_on > date.today() for o in not_yet)
        tom = db.session.scalars(select(User).where(User.email == "supervisor@willow.demo")).one()
        assert "overdue" in {d.key for d in team_due(tom)}
