"""The NHS England just culture guide (2018), whole: its five tests in order, where the
answers point, and the route for deliberate harm or a suspected crime.

The guide is a conversation between managers, not a form that decides. So no outcome is
ever preselected, and the only rule enforced is the guide's first: when anyone intended
harm, or a crime is suspected, the matter leaves the learning route for safeguarding, the
police and the disciplinary process. See docs/sources.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.reports import Category, JustCultureOutcome, Report


@dataclass(frozen=True)
class Question:
    key: str
    test: str
    text: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        "deliberate_harm",
        "1. Deliberate harm test",
        "Was there any intention to cause harm, or is a crime suspected?",
    ),
    Question(
        "health_substance",
        "2. Health test",
        "Are there signs of substance misuse (alcohol or drugs)?",
    ),
    Question("health_physical", "2. Health test", "Are there signs of physical ill health?"),
    Question("health_mental", "2. Health test", "Are there signs of mental ill health?"),
    Question(
        "foresight_protocols",
        "3. Foresight test",
        "Were there agreed procedures or accepted practice for this task?",
    ),
    Question(
        "foresight_workable",
        "3. Foresight test",
        "Were they workable, and in routine use?",
    ),
    Question(
        "foresight_departed",
        "3. Foresight test",
        "Did the person knowingly and on purpose depart from them?",
    ),
    Question(
        "substitution_peers",
        "4. Substitution test",
        "Would others with similar experience and training have acted the same way in the "
        "same circumstances?",
    ),
    Question(
        "substitution_training",
        "4. Substitution test",
        "Did the person miss training their peers had?",
    ),
    Question(
        "substitution_supervision",
        "4. Substitution test",
        "Did they go without the supervision they should have had?",
    ),
    Question(
        "mitigating",
        "5. Mitigating circumstances",
        "Were there significant mitigating circumstances (for example workload, staffing, "
        "personal circumstances)?",
    ),
)
ANSWERS = (("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure"))

# Deliberate harm or a suspected crime: what happens instead of a learning review.
ROUTE_STEPS: tuple[tuple[str, str], ...] = (
    (
        "safeguarding",
        "Safeguarding referral to the local authority, which also runs its process for people "
        "in positions of trust when the concern is about a member of staff",
    ),
    ("police", "Police told"),
    ("disciplinary", "Disciplinary process started, with HR"),
    (
        "dbs",
        "DBS barring referral made (a legal duty when someone is removed from work with "
        "adults for harm, or the risk of harm)",
    ),
)


def answer_errors(answers: dict[str, str], outcome: str | None) -> dict[str, list[str]]:
    """The guide's first test decides the route: a 'yes' to deliberate harm cannot end in a
    system or support outcome."""
    errors: dict[str, list[str]] = {}
    if outcome and outcome not in set(JustCultureOutcome):
        errors["just_culture_outcome"] = ["Choose one of the answers."]
    if (
        answers.get("deliberate_harm") == "yes"
        and outcome
        and outcome != JustCultureOutcome.DELIBERATE_HARM
    ):
        errors["just_culture_outcome"] = [
            "You answered yes to deliberate harm or a suspected crime: follow that route "
            "(safeguarding, police, disciplinary process, DBS barring referral)."
        ]
    return errors


def is_safeguarding_or_police_matter(report: Report) -> bool:
    """A debrief or a bulletin could harm a safeguarding enquiry or a police investigation
    (or alert the person suspected): warn before one is started."""
    return (
        report.category is Category.SAFEGUARDING
        or (report.follow_up or {}).get("police_involved") == "yes"
        or report.just_culture_outcome == JustCultureOutcome.DELIBERATE_HARM
        or (report.just_culture_answers or {}).get("deliberate_harm") == "yes"
    )


SENSITIVE_WARNING = (
    "This is a safeguarding or police matter. Speak to the local authority safeguarding team "
    "(and the police, if they are involved) before a debrief or a learning bulletin: talking "
    "it through with the team could harm their enquiries. Never investigate it yourselves."
)
