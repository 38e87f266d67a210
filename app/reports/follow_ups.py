"""The questions the report form asks after the kind of event: a few per category, each
optional, with choices or a short text. Police involvement is asked for every category, so
the CQC notification for it (Regulation 18(2)(f)) can be prompted.

The answers are checked with the rest of the report's body (app/reports/schemas.py) and kept
in `Report.follow_up` as {question name: answer}; the form names each field
`follow_up_<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.reports import Category


@dataclass(frozen=True)
class FollowUp:
    """One optional follow-up question for a category: choices, or a short text when None."""

    name: str
    question: str
    choices: tuple[tuple[str, str], ...] | None = None

    @property
    def field_name(self) -> str:
        return f"follow_up_{self.name}"


def _pairs(*labels: str) -> tuple[tuple[str, str], ...]:
    return tuple((label.lower().replace(" ", "_").replace(",", ""), label) for label in labels)


YES_NO = (("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure"))

FOLLOW_UPS: dict[Category, tuple[FollowUp, ...]] = {
    Category.MEDICATION: (
        FollowUp(
            "error_type",
            "What kind of medication problem?",
            _pairs(
                "Omission",
                "Wrong dose",
                "Wrong time",
                "Wrong person",
                "Wrong medicine",
                "Wrong route",
                "Recording error",
                "Storage",
            )
            + (("cd_discrepancy", "Controlled drug count does not match the register"),),
        ),
        FollowUp(
            "stage",
            "At which stage?",
            _pairs(
                "Prescribing", "Dispensing", "Administration", "Recording", "Storage", "Ordering"
            ),
        ),
    ),
    Category.FALLS: (
        FollowUp("witnessed", "Did anyone see the fall?", YES_NO),
        FollowUp("injury", "Any injury you could see?", YES_NO),
        FollowUp("head_injury", "Did they hit their head, or might they have?", YES_NO),
        FollowUp("anticoagulant", "Do they take a blood thinner (anticoagulant)?", YES_NO),
    ),
    Category.PRESSURE_CARE: (
        FollowUp(
            "ulcer_category",
            "If a nurse has graded it: which category?",
            (
                ("1", "Category 1"),
                ("2", "Category 2"),
                ("3", "Category 3"),
                ("4", "Category 4"),
                ("unstageable", "Unstageable"),
                ("deep_tissue", "Deep tissue injury"),
                ("not_graded", "Not graded yet"),
            ),
        ),
    ),
    Category.SAFEGUARDING: (
        FollowUp(
            "concern_type",
            "What kind of concern?",
            _pairs(
                "Physical",
                "Sexual",
                "Psychological",
                "Financial or material",
                "Neglect and acts of omission",
                "Self-neglect",
                "Discriminatory",
                "Organisational",
                "Domestic abuse",
                "Modern slavery",
            ),
        ),
        FollowUp("escalated", "Has it been passed to the safeguarding lead yet?", YES_NO),
    ),
    Category.RESTRICTIVE_PRACTICE: (
        FollowUp(
            "restriction_type",
            "What kind of restriction?",
            _pairs(
                "Physical restraint",
                "Chemical restraint",
                "Mechanical restraint",
                "Environmental restriction",
                "Seclusion",
                "Long-term segregation",
                "Informal or unplanned restriction",
            ),
        ),
        FollowUp(
            "position",
            "If it was physical restraint: which position?",
            (
                ("standing", "Standing"),
                ("seated", "Seated"),
                ("kneeling", "Kneeling"),
                ("supine", "Face up (supine)"),
                ("prone", "Face down (prone)"),
                ("side", "On their side"),
                ("restrictive_escort", "Restrictive escort"),
            ),
        ),
        FollowUp("duration", "How long did it last? (for example 5 minutes)"),
        FollowUp("in_plan", "Was it in the person's support or PBS plan?", YES_NO),
        FollowUp("tried_first", "What was tried first?"),
    ),
    Category.BEHAVIOUR: (
        FollowUp("trigger", "Anything that seemed to lead up to it?"),
        FollowUp("helped", "What helped the person feel calmer?"),
    ),
}


# Asked for every kind of event, so the CQC notification for police involvement
# (Regulation 18(2)(f)) can be prompted.
POLICE_QUESTION = FollowUp("police_involved", "Were the police called or told about it?", YES_NO)
for _category in Category:
    FOLLOW_UPS[_category] = (*FOLLOW_UPS.get(_category, ()), POLICE_QUESTION)


def follow_ups_for(category: str | None) -> tuple[FollowUp, ...]:
    try:
        return FOLLOW_UPS.get(Category(category), ())
    except ValueError:
        return ()
