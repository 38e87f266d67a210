"""How urgent a report is, in one place: the manager's "Needs action today" box and the triage
list both sort by it, so the two never disagree.

Rank 0: someone was harmed (moderate or worse, in body or mind) or a safeguarding concern was
raised. Rank 1: a restriction that was not in the person's plan. Rank 2: everything else.
"""

from __future__ import annotations

from sqlalchemy import and_, case, or_

from app.models.reports import Category, PhysicalHarm, PsychologicalHarm, Report, ReportStatus

SERIOUS_PHYSICAL = (PhysicalHarm.MODERATE, PhysicalHarm.SEVERE, PhysicalHarm.FATAL)
SERIOUS_PSYCHOLOGICAL = (PsychologicalHarm.MODERATE, PsychologicalHarm.SEVERE)
UNPLANNED_RESTRICTION = "informal_or_unplanned_restriction"
OPEN_STATUSES = (ReportStatus.NEW, ReportStatus.UNDER_REVIEW)

SERIOUS, UNPLANNED_RESTRAINT, OTHER = 0, 1, 2


def serious_harm_or_safeguarding():
    return or_(
        Report.physical_harm.in_(SERIOUS_PHYSICAL),
        Report.psychological_harm.in_(SERIOUS_PSYCHOLOGICAL),
        Report.category == Category.SAFEGUARDING,
    )


def unplanned_restraint():
    """A restrictive practice report whose restriction was not in the person's plan (answered
    "No", or the kind chosen was "Informal or unplanned restriction")."""
    return and_(
        Report.category == Category.RESTRICTIVE_PRACTICE,
        or_(
            Report.follow_up["in_plan"].as_string() == "no",
            Report.follow_up["restriction_type"].as_string() == UNPLANNED_RESTRICTION,
        ),
    )


def risk_rank():
    """0 (serious harm or safeguarding), 1 (unplanned restraint) or 2, as an SQL expression."""
    return case(
        (serious_harm_or_safeguarding(), SERIOUS),
        (unplanned_restraint(), UNPLANNED_RESTRAINT),
        else_=OTHER,
    )


def by_risk():
    """ORDER BY terms: the riskiest first, then the newest."""
    return (risk_rank(), Report.created_at.desc(), Report.id.desc())
