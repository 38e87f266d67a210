"""Helpers shared by the debrief and reflection tests: reports made straight in the database
(the report pages are built elsewhere) and debriefs opened through the service."""

from __future__ import annotations

from datetime import date

from app.debriefs.services import create_debrief
from app.extensions import db
from app.models import Category, DebriefFormat, PhysicalHarm, Report, ReportKind, User


def make_report(service_id: int, *, harm: PhysicalHarm | None = None, reporter_id=None, **extra):
    report = Report(
        service_id=service_id,
        reporter_id=reporter_id,
        kind=ReportKind.INCIDENT if harm else ReportKind.NEAR_MISS,
        category=Category.FALLS,
        description=extra.pop("description", "Mrs H slipped in the bathroom after her shower."),
        occurred_on=extra.pop("occurred_on", date.today()),
        physical_harm=harm,
        follow_up={},
        **extra,
    )
    db.session.add(report)
    db.session.commit()
    return report.id


def make_debrief(facilitator: User, attendees=(), reports=(), **details) -> int:
    user = db.session.get(User, facilitator.id)
    debrief = create_debrief(
        user,
        user.service_id,
        format=details.pop("format", DebriefFormat.STRUCTURED),
        held_on=details.pop("held_on", date.today()),
        facilitator_id=user.id,
        report_ids=list(reports),
        attendee_ids=[a.id for a in attendees],
        person_offered=details.pop("person_offered", False),
        family_offered=details.pop("family_offered", False),
    )
    return debrief.id
