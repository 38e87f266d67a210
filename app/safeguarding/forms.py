"""Safeguarding forms. Validation of the rules lives in services; these parse and label."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.forms import (
    CheckboxesField,
    DateTimeLocalField,
    IntegerField,
    choice_id,
    choices,
    date_field,
    enum_choices,
)
from app.models import (
    CapacityFinding,
    ConcernType,
    LibertyRoute,
    LibertyStatus,
    RestraintPosition,
    RestraintType,
    ReviewKind,
)
from app.safeguarding.services import POSITIVE_RISK_TEMPLATE

PICK = ("", "Choose one")
REFERENCE_HINT = "The service's reference or initials, never a full name."


class ServiceChoice:
    """Mixin: a service picker, shown only when the person has more than one service."""

    service_id = SelectField("Service", coerce=choice_id, validators=[Optional()])


class RestrictionForm(FlaskForm, ServiceChoice):
    person_reference = StringField(
        "Person's reference", description=REFERENCE_HINT, render_kw={"autocomplete": "off"}
    )
    restraint_type = SelectField(
        "What kind of restriction?", choices=enum_choices(RestraintType, first=PICK)
    )
    position = SelectField(
        "Position (physical restraint only)",
        choices=enum_choices(RestraintPosition, first=("", "Not physical restraint")),
    )
    what_happened = TextAreaField("What happened?")
    started_at = DateTimeLocalField(
        "When did it start?",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="UK time.",
    )
    duration_minutes = IntegerField(
        "How long did it last? (minutes)",
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    in_plan = SelectField(
        "Was it in the person's support or PBS plan?",
        choices=choices([PICK, ("yes", "Yes, it is in the plan"), ("no", "No, not in any plan")]),
    )
    tried_first = TextAreaField(
        "What less restrictive options were tried first?",
        description="For example: distraction, space, a familiar person, a change of activity.",
    )
    capacity = SelectField(
        "Was the person's capacity considered?",
        choices=enum_choices(CapacityFinding, first=PICK),
        description=(
            "Restraint is only lawful under the Mental Capacity Act when the person is "
            "reasonably believed to lack capacity for this decision, and it is necessary "
            "and proportionate to prevent harm to them."
        ),
    )
    consented = SelectField(
        "If they have capacity for this decision: did they agree to it?",
        choices=choices(
            [("", "Not applicable (they lack capacity)"), ("yes", "Yes"), ("no", "No")]
        ),
        validate_choice=False,  # the service checks it, with a message that says why
    )
    best_interests_id = SelectField(
        "Best-interests decision",
        coerce=choice_id,
        validators=[Optional()],
        description="Needed when the person lacks capacity for this decision.",
    )
    injury = BooleanField("Someone was injured")
    injury_details = TextAreaField(
        "What was the injury?", validators=[Optional()], description="Only if someone was hurt."
    )
    debrief_offered_person = BooleanField("A debrief was offered to the person")
    debrief_offered_staff = BooleanField("A debrief was offered to staff")
    review_needed = BooleanField("The PBS plan or risk assessment needs a review")


class BestInterestsForm(FlaskForm, ServiceChoice):
    person_reference = StringField(
        "Person's reference", description=REFERENCE_HINT, render_kw={"autocomplete": "off"}
    )
    decision = TextAreaField(
        "What is the decision?",
        description=(
            "One decision only: each restriction or medicine needs its own. If an attorney "
            "(LPA) or deputy has authority for this decision, they make it; a valid advance "
            "decision to refuse treatment must be followed. A best-interests decision does "
            "not authorise a deprivation of liberty."
        ),
    )
    capacity_assessment = TextAreaField(
        "What did the capacity assessment find?",
        description=(
            "About this decision, at this time, by the person making the decision. Never "
            "based only on age, appearance, condition or behaviour."
        ),
    )
    regain_capacity = TextAreaField("Could the person regain capacity? Can the decision wait?")
    person_involvement = TextAreaField("How did the person take part?")
    wishes_and_values = TextAreaField(
        "Their past and present wishes, feelings, beliefs and values",
        description="Including anything they wrote down when they had capacity.",
    )
    consulted = TextAreaField(
        "Who was consulted?",
        description=(
            "Anyone they named, family and carers, any attorney or deputy. Instruct an IMCA "
            "when there is nobody appropriate to consult. For life-sustaining treatment, the "
            "decision is never motivated by a wish to bring about death."
        ),
    )
    least_restrictive_option = TextAreaField("Which least restrictive option was chosen?")
    decided_on = date_field("Date of the decision")
    review_on = date_field("Review the decision by")


class ReviewForm(FlaskForm):
    kind = SelectField("What was reviewed?", choices=enum_choices(ReviewKind, first=PICK))
    reviewed_on = date_field("Date of the review")
    next_review_on = date_field("Next review due")
    what_changed = TextAreaField(
        "What changed, and what did we learn?",
        description="Say how the reports and debriefs changed the plan.",
    )
    report_ids = CheckboxesField("Reports this review drew on", coerce=choice_id)
    debrief_ids = CheckboxesField("Debriefs this review drew on", coerce=choice_id)


class ConcernForm(FlaskForm, ServiceChoice):
    person_reference = StringField(
        "Person's reference", description=REFERENCE_HINT, render_kw={"autocomplete": "off"}
    )
    concern_type = SelectField(
        "What kind of concern?", choices=enum_choices(ConcernType, first=PICK)
    )
    what_happened = TextAreaField("What is the concern?")
    raised_at = DateTimeLocalField(
        "When was it first raised?",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="UK time. Leave empty for now.",
    )


class EscalationForm(FlaskForm):
    escalated_at = DateTimeLocalField(
        "When did you tell the local authority?",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="UK time.",
    )
    escalated_to = StringField(
        "Who did you tell?", description="Name and team, for example: duty social worker."
    )
    la_reference = StringField("Their reference")
    cqc_notified_at = DateTimeLocalField(
        "When was CQC notified?",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=(
            "UK time. Required for every concern: CQC must be told without delay of any "
            "abuse or allegation of abuse, including when another person using the service "
            "is the alleged abuser (Regulation 18(2)(e))."
        ),
    )
    outcome = TextAreaField(
        "Outcome",
        validators=[Optional()],
        description="The local authority's outcome. Record it once CQC has been told.",
    )


class RiskSessionForm(FlaskForm, ServiceChoice):
    person_reference = StringField(
        "Person's reference", description=REFERENCE_HINT, render_kw={"autocomplete": "off"}
    )
    held_on = date_field("Date of the session")
    attendees = TextAreaField("Who took part?", description="Names or roles.")
    person_wanted = TextAreaField(
        POSITIVE_RISK_TEMPLATE["person_wanted"][0],
        description=POSITIVE_RISK_TEMPLATE["person_wanted"][1],
    )
    risks = TextAreaField(
        POSITIVE_RISK_TEMPLATE["risks"][0], description=POSITIVE_RISK_TEMPLATE["risks"][1]
    )
    least_restrictive_option = TextAreaField(
        POSITIVE_RISK_TEMPLATE["least_restrictive_option"][0],
        description=POSITIVE_RISK_TEMPLATE["least_restrictive_option"][1],
    )
    next_time = TextAreaField(
        POSITIVE_RISK_TEMPLATE["next_time"][0], description=POSITIVE_RISK_TEMPLATE["next_time"][1]
    )
    restrictive_practice_id = SelectField(
        "Restriction this session looked at (optional)", coerce=choice_id, validators=[Optional()]
    )


class LogFilterForm(FlaskForm):
    """GET filters for the logs (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    person = StringField("Person's reference", validators=[Optional()])
    restraint_type = SelectField(
        "Kind", choices=enum_choices(RestraintType, first=("", "Any kind")), validators=[Optional()]
    )
    flagged = BooleanField("Only those needing attention")
    start = date_field("From")
    end = date_field("To")


class LibertyForm(FlaskForm, ServiceChoice):
    """An entry on the DoLS / Court of Protection register."""

    person_reference = StringField(
        "Person's reference", description=REFERENCE_HINT, render_kw={"autocomplete": "off"}
    )
    route = SelectField(
        "Which authorisation?",
        choices=enum_choices(LibertyRoute, first=PICK),
        description=(
            "DoLS is for people aged 18 or over in care homes and hospitals. In supported "
            "living or at home, the Court of Protection authorises a deprivation of liberty; "
            "the council or ICB that commissions the care normally applies."
        ),
    )
    aged_18_or_over = BooleanField("The person is 18 or over")
    applied_on = date_field("Date applied")
    applied_to = StringField(
        "Applied to",
        description="The council (the supervisory body) for DoLS, or who applied to the court.",
    )
    status = SelectField("Where is it now?", choices=enum_choices(LibertyStatus, first=PICK))
    outcome_on = date_field("Date of the outcome")
    expires_on = date_field(
        "Authorised until",
        description="Urgent DoLS: 7 days, extendable once by 7. Standard DoLS: up to a year.",
    )
    conditions = TextAreaField(
        "Conditions attached",
        validators=[Optional()],
        description="Each condition, so the team can meet it. Review them at every care plan review.",
    )
    cqc_notified_on = date_field(
        "Date CQC was told the outcome",
        description="Without delay once the outcome is known (Regulation 18(2)(c) for DoLS, "
        "18(2)(d) for the Court of Protection).",
    )
