"""Care Certificate assessments: supervisors record, standard by standard, when a new starter's
knowledge was assessed and their competence observed at work.

Skills for Care: the Care Certificate is completed within 12 weeks of starting, and needs
assessed knowledge and observed competence for each of the 16 standards. Reading the
induction articles prepares for it but never completes a standard. See docs/sources.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.audit import log_event
from app.extensions import db
from app.models import CARE_CERTIFICATE_STANDARDS, CareCertificateAssessment, User
from app.models.base import uk_today
from app.validation import Invalid

COMPLETE_WITHIN = timedelta(weeks=12)


class AssessmentInvalid(Invalid):
    """Assessment dates that cannot be saved: `errors` maps a field to what to fix."""


@dataclass
class CertificateProgress:
    person: User
    assessments: dict[int, CareCertificateAssessment]
    today: date

    @property
    def met(self) -> int:
        return sum(1 for a in self.assessments.values() if a.met)

    @property
    def complete(self) -> bool:
        return self.met == len(CARE_CERTIFICATE_STANDARDS)

    @property
    def due_on(self) -> date | None:
        started = self.person.started_on
        return started + COMPLETE_WITHIN if started else None

    @property
    def overdue(self) -> bool:
        return not self.complete and self.due_on is not None and self.today > self.due_on


def progress(person: User, today: date | None = None) -> CertificateProgress:
    found = db.session.scalars(
        select(CareCertificateAssessment).where(CareCertificateAssessment.user_id == person.id)
    )
    return CertificateProgress(person, {a.standard: a for a in found}, today or uk_today())


def _checked(value, name: str, person: User, today: date, errors: dict) -> date | None:
    if value is None:
        return None
    if value > today:
        errors[name] = "This cannot be in the future."
    elif person.started_on and value < person.started_on:
        errors[name] = "This cannot be before they started."
    return value


def record_assessments(
    assessor: User,
    person: User,
    dates: dict[int, tuple[date | None, date | None]],
    today: date | None = None,
) -> CertificateProgress:
    """Save each standard's (knowledge assessed on, competence observed on). Nobody assesses
    themselves."""
    today = today or uk_today()
    if assessor.id == person.id:
        raise AssessmentInvalid({"person": "Someone else must assess your Care Certificate."})
    errors: dict[str, str] = {}
    checked = {
        standard: (
            _checked(knowledge, f"knowledge_{standard}", person, today, errors),
            _checked(competence, f"competence_{standard}", person, today, errors),
        )
        for standard, (knowledge, competence) in dates.items()
        if standard in CARE_CERTIFICATE_STANDARDS
    }
    if errors:
        raise AssessmentInvalid(errors)
    current = progress(person, today)
    changed = []
    for standard, (knowledge, competence) in checked.items():
        record = current.assessments.get(standard)
        if record is None:
            if not (knowledge or competence):
                continue
            record = CareCertificateAssessment(
                user_id=person.id, service_id=person.service_id, standard=standard
            )
            db.session.add(record)
            current.assessments[standard] = record
        if (record.knowledge_assessed_on, record.competence_observed_on) != (knowledge, competence):
            record.knowledge_assessed_on = knowledge
            record.competence_observed_on = competence
            record.assessor_id = assessor.id
            changed.append(standard)
    db.session.flush()
    if changed:
        log_event(
            "care_certificate.assessed",
            person,
            summary={"standards": changed, "met": current.met},
        )
    db.session.commit()
    return current
