"""Who may reach every route: one line per endpoint. test_route_access.py walks app.url_map
and fails on any endpoint missing here, so a new page is classified before it ships.

Add a line when you add a route:
- `PUBLIC`                                   anyone, signed in or not
- `at_least(Role.X)`                         signed in, role X or above; others get 403
- `NOT_HERE`                                 exists only in development (for an admin): the
  walk, which runs as "testing", expects 404 from everyone, signed in or not
- `at_least(Role.X, record_id=make_thing)`   the same, for a route taking a record id: the
  test also opens a record of another service (and organisation) and expects 404 or 403.
  `make_thing(service_id, owner_id)` creates a record in that service belonging to that
  person (where records have an owner) and returns its id; it runs in an app context.
  Most are one `record(Model, field=value, ...)` line below, with `service` and `owner`
  standing for the service and the person the walk names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

from app.extensions import db
from app.models import (
    Action,
    Category,
    ChecklistItem,
    ChecklistTemplate,
    Debrief,
    DebriefAttendee,
    DebriefContribution,
    DebriefFormat,
    EmailTopic,
    EscalationQuestion,
    EvidenceShare,
    MailStatus,
    Meeting,
    MeetingKind,
    Notification,
    Observation,
    ObservationStatus,
    OutboundEmail,
    Reflection,
    ReflectionTemplate,
    Report,
    ReportKind,
    Role,
    Service,
    Supervision,
    User,
    WorkaroundFlag,
)
from app.models.library import Article, ArticleKind, ArticleStatus
from app.models.safeguarding import (
    BestInterestsDecision,
    CapacityFinding,
    ConcernType,
    LibertyAuthorisation,
    LibertyRoute,
    PositiveRiskSession,
    RestraintType,
    RestrictivePractice,
    SafeguardingConcern,
)

# Makes a record in (service_id, owner_id) and answers its id, or the URL values it needs.
Factory = Callable[[int, int], "int | dict"]


@dataclass(frozen=True)
class Access:
    public: bool = False
    role: Role | None = None
    records: dict[str, Factory] = field(default_factory=dict)
    example: dict[str, str] = field(default_factory=dict)  # URL values for public routes
    hidden: bool = False  # 404 for everyone outside development


PUBLIC = Access(public=True)
NOT_HERE = Access(hidden=True)


def at_least(role: Role, **records: Factory) -> Access:
    return Access(role=role, records=records)


DAY = date(2026, 1, 5)
TEXT = "Route check"
_numbers = count(1)

# Field values that depend on the case the walk is checking: each is given
# (service_id, owner_id) and answers the value to store.


def service(service_id: int, _owner_id: int) -> int:
    """The service the walk names: its own, another, or another organisation's."""
    return service_id


def owner(_service_id: int, owner_id: int) -> int:
    """The person the walk names (the signed-in person for their own service)."""
    return owner_id


def organisation(service_id: int, _owner_id: int) -> int:
    return db.session.get(Service, service_id).organisation_id


def unique(pattern: str) -> Callable[[int, int], str]:
    """A fresh string for each record, for columns that must differ ("route-check-{}")."""
    return lambda _service_id, _owner_id: pattern.format(next(_numbers))


def record(model, *, url: dict[str, str] | None = None, **fields) -> Factory:
    """A factory making one `model` row from `fields`, for one line of ROUTES.

    A field value that is callable (`service`, `owner`, `unique(...)`, or another factory,
    whose id it stores) is called with (service_id, owner_id); any other value is stored as
    it is. The factory answers the row's id, or with `url` the URL values it names, each
    read from an attribute of the row ({"slug": "slug"}).
    """

    def make(service_id: int, owner_id: int):
        values = {
            name: value(service_id, owner_id) if callable(value) else value
            for name, value in fields.items()
        }
        row = model(**values)
        db.session.add(row)
        db.session.flush()
        if url is None:
            return row.id
        return {name: getattr(row, attribute) for name, attribute in url.items()}

    return make


def _owner_attends(_service_id: int, owner_id: int) -> list[DebriefAttendee]:
    return [DebriefAttendee(user_id=owner_id)]


def _one_item(_service_id: int, _owner_id: int) -> list[ChecklistItem]:
    return [ChecklistItem(text="Washes hands")]


# A care worker in that service (the record of people admin).
a_person = record(
    User,
    name=unique("Route Check {}"),
    email=unique("route-check-{}@example.org"),
    role=Role.STAFF,
    service_id=service,
)
a_meeting = record(
    Meeting,
    service_id=service,
    kind=MeetingKind.TEAM,
    held_on=DAY,
    title="Route check meeting",
    minutes="",
    recorded_by_id=owner,
)
a_notification = record(
    Notification, user_id=owner, service_id=service, kind="test", message="Hello"
)
# An email of that service that could not be sent.
a_failed_email = record(
    OutboundEmail,
    service_id=service,
    to_address="someone@example.org",
    topic=list(EmailTopic)[0],
    subject="Test",
    body="Test",
    status=MailStatus.FAILED,
)
a_report = record(
    Report,
    service_id=service,
    reporter_id=owner,
    kind=ReportKind.NEAR_MISS,
    category=Category.FALLS,
    description=TEXT,
    occurred_on=DAY,
)
# A report and an action agreed on it (for URLs that name both).
a_report_with_action = record(
    Action,
    service_id=service,
    report_id=a_report,
    description=TEXT,
    url={"report_id": "report_id", "action_id": "id"},
)
# Led and attended by the owner, so a care worker may read it; the routes that change it
# still need a supervisor.
a_debrief = record(
    Debrief,
    service_id=service,
    format=DebriefFormat.STRUCTURED,
    held_on=DAY,
    facilitator_id=owner,
    created_by_id=owner,
    attendees=_owner_attends,
)
a_debrief_point = record(
    DebriefContribution,
    debrief_id=a_debrief,
    prompt="helped",
    text=TEXT,
    added_by_id=owner,
    url={"debrief_id": "debrief_id", "contribution_id": "id"},
)
a_workaround = record(WorkaroundFlag, service_id=service, description="Route check workaround")
# A private reflection written by the owner.
a_reflection = record(
    Reflection,
    service_id=service,
    author_id=owner,
    template=ReflectionTemplate.HELPED_HINDERED,
    answers={"helped": "x"},
)
a_checklist = record(
    ChecklistTemplate, service_id=service, name="Route check checklist", items=_one_item
)
# An observation of a care worker, recorded by the owner: the writer may open it (and, as
# DEVELOPMENT_ROUTES below checks, so may the person observed and their line managers).
_observation = {
    "service_id": service,
    "template_id": a_checklist,
    "staff_id": a_person,
    "observer_id": owner,
    "observed_on": DAY,
}
an_observation = record(Observation, status=ObservationStatus.COMPLETED, **_observation)
a_draft_observation = record(Observation, status=ObservationStatus.DRAFT, **_observation)
a_supervision = record(
    Supervision, service_id=service, supervisor_id=owner, supervisee_id=a_person, held_on=DAY
)
an_escalation_question = record(
    EscalationQuestion, service_id=service, text="Who do you call at night?"
)
a_restriction = record(
    RestrictivePractice,
    service_id=service,
    person_reference="RC1",
    restraint_type=list(RestraintType)[-1],
    started_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
    duration_minutes=5,
    in_plan=False,
    capacity=CapacityFinding.NOT_CONSIDERED,
)
a_best_interests_decision = record(
    BestInterestsDecision,
    service_id=service,
    person_reference="RC1",
    decided_on=DAY,
    review_on=date(2026, 7, 5),
    **dict.fromkeys(
        (
            "decision",
            "capacity_assessment",
            "regain_capacity",
            "person_involvement",
            "wishes_and_values",
            "consulted",
            "least_restrictive_option",
        ),
        TEXT,
    ),
)
a_concern = record(
    SafeguardingConcern,
    service_id=service,
    person_reference="RC1",
    concern_type=list(ConcernType)[0],
    what_happened=TEXT,
    raised_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
    recorded_by_id=owner,
)
a_new_starter = record(
    User,
    name="New Starter",
    email=unique("starter-{}@route.example.org"),
    role=Role.STAFF,
    service_id=service,
    started_on=DAY,
)
a_liberty_application = record(
    LibertyAuthorisation,
    service_id=service,
    person_reference="RC1",
    route=LibertyRoute.COURT_OF_PROTECTION,
    aged_18_or_over=True,
    applied_on=date(2026, 1, 5),
    applied_to=TEXT,
    recorded_by_id=owner,
)
a_risk_session = record(
    PositiveRiskSession,
    service_id=service,
    person_reference="RC1",
    held_on=DAY,
    facilitator_id=owner,
    **dict.fromkeys(
        ("attendees", "person_wanted", "risks", "least_restrictive_option", "next_time"), TEXT
    ),
)
# A published guide written for that one service (so other services cannot see it).
an_article = record(
    Article,
    organisation_id=organisation,
    service_id=service,
    kind=ArticleKind.GUIDE,
    slug=unique("route-check-{}"),
    title=TEXT,
    summary=TEXT,
    body=TEXT,
    body_html="<p>Route check</p>",
    status=ArticleStatus.PUBLISHED,
    published_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
    url={"slug": "slug"},
)


# URLs that name more than one record, or a value that is no row of its own.


def a_debrief_prompt(service_id: int, owner_id: int) -> dict:
    return {"debrief_id": a_debrief(service_id, owner_id), "prompt_key": "helped"}


def a_draft_observation_item(service_id: int, owner_id: int) -> dict:
    observation = db.session.get(Observation, a_draft_observation(service_id, owner_id))
    return {"observation_id": observation.id, "item_id": observation.template.items[0].id}


def a_share_link(service_id: int, owner_id: int) -> int:
    """An evidence share link of `service_id`, made by `owner_id`."""
    share = EvidenceShare(
        service_id=service_id,
        organisation_id=organisation(service_id, owner_id),
        service_ids=[service_id],
        first_month=date(2026, 1, 1),
        last_month=date(2026, 6, 1),
        note="",
        stories=[],
        token_hash=unique("{:064d}")(service_id, owner_id),
        created_by_id=owner_id,
        expires_at=datetime.now(UTC) + timedelta(days=14),
        views=0,
    )
    db.session.add(share)
    db.session.flush()
    return share.id


def a_person_reference(service_id: int, _owner_id: int) -> dict:
    """A person supported, by their service's reference (the register's URL names both)."""
    return {"service_id": service_id, "reference": "RC1"}


ROUTES: dict[str, Access] = {
    "static": Access(public=True, example={"filename": "css/app.css"}),
    "home.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.two_step": PUBLIC,  # the second sign-in step; it sends you back without a first
    "home.index": at_least(Role.STAFF),
    "auth.logout": at_least(Role.STAFF),
    "auth.account": at_least(Role.STAFF),
    "auth.change_password": at_least(Role.STAFF),
    "auth.two_step_setup": at_least(Role.MANAGER),
    "auth.two_step_off": at_least(Role.STAFF),
    "people.index": at_least(Role.MANAGER),
    "people.new": at_least(Role.MANAGER),
    "people.person": at_least(Role.MANAGER, person_id=a_person),
    "people.deactivate_person": at_least(Role.MANAGER, person_id=a_person),
    "people.reactivate_person": at_least(Role.MANAGER, person_id=a_person),
    "people.end_sessions": at_least(Role.ADMIN, person_id=a_person),
    "people.invite": at_least(Role.MANAGER),
    "people.import_upload": at_least(Role.MANAGER),
    "people.import_confirm": at_least(Role.MANAGER),
    "people.reinvite": at_least(Role.MANAGER, person_id=a_person),
    "people.accept_invitation": Access(public=True, example={"token": "not-a-real-link"}),
    "people.reset": PUBLIC,
    "people.reset_with_link": Access(public=True, example={"token": "not-a-real-link"}),
    "admin.audit": at_least(Role.ADMIN),
    "governance.dashboard": at_least(Role.MANAGER),
    "governance.evidence_pack": at_least(Role.MANAGER),
    "governance.evidence_pdf": at_least(Role.MANAGER),
    "governance.evidence_zip": at_least(Role.MANAGER),
    "governance.shares": at_least(Role.MANAGER),
    "governance.new_share": at_least(Role.MANAGER),
    "governance.revoke_share": at_least(Role.MANAGER, share_id=a_share_link),
    # Public only with a valid link: an unknown token answers 404, a revoked or expired link
    # 410 (tests/functional/test_share_links.py opens real links).
    "share.page": Access(public=True, example={"token": "not-a-real-link"}),
    "share.pdf": Access(public=True, example={"token": "not-a-real-link"}),
    "governance.meetings": at_least(Role.STAFF),
    "governance.new_meeting": at_least(Role.SUPERVISOR),
    "governance.meeting": at_least(Role.STAFF, meeting_id=a_meeting),
    "governance.edit_minutes": at_least(Role.SUPERVISOR, meeting_id=a_meeting),
    "governance.pulse": at_least(Role.STAFF),
    "governance.pulse_summary": at_least(Role.MANAGER),
    "governance.board": at_least(Role.STAFF),
    "governance.add_to_board": at_least(Role.MANAGER),
    "notifications.dev_mailbox": NOT_HERE,  # development only, admins only
    "notifications.index": at_least(Role.STAFF),
    "notifications.read_all": at_least(Role.STAFF),
    "notifications.settings": at_least(Role.STAFF),
    "notifications.read": at_least(Role.STAFF, notification_id=a_notification),
    "notifications.open_notification": at_least(Role.STAFF, notification_id=a_notification),
    "notifications.mail_problems": at_least(Role.MANAGER),
    "notifications.retry_mail": at_least(Role.MANAGER, message_id=a_failed_email),
    "reports.receipt": PUBLIC,  # anonymous reporters open feedback with their receipt code
    # ... and hold the conversation, check for news and ask for notifications with it
    "reports.reporter_message": PUBLIC,
    "reports.news": PUBLIC,
    "reports.receipt_push": PUBLIC,
    "reports.manager_message": at_least(Role.MANAGER, report_id=a_report),
    "notifications.push_subscribe": at_least(Role.STAFF),
    "notifications.push_unsubscribe": at_least(Role.STAFF),
    "reports.new": at_least(Role.STAFF),
    "reports.create": at_least(Role.STAFF),
    "reports.follow_up": at_least(Role.STAFF),
    "reports.mine": at_least(Role.STAFF),
    "reports.mine_detail": at_least(Role.STAFF, report_id=a_report),
    "reports.thanks": at_least(Role.STAFF, report_id=a_report),
    "reports.queue": at_least(Role.MANAGER),
    "reports.review": at_least(Role.MANAGER, report_id=a_report),
    "reports.save_review": at_least(Role.MANAGER, report_id=a_report),
    "reports.feedback": at_least(Role.MANAGER, report_id=a_report),
    "reports.add_action": at_least(Role.MANAGER, report_id=a_report),
    "reports.complete_action": at_least(Role.MANAGER, both=a_report_with_action),
    "debriefs.index": at_least(Role.SUPERVISOR),
    "debriefs.new": at_least(Role.SUPERVISOR),
    "debriefs.mine": at_least(Role.STAFF),
    "debriefs.show": at_least(Role.STAFF, debrief_id=a_debrief),  # staff: only those attended
    "debriefs.edit": at_least(Role.SUPERVISOR, debrief_id=a_debrief),
    "debriefs.agree_action": at_least(Role.SUPERVISOR, debrief_id=a_debrief),
    "debriefs.close": at_least(Role.SUPERVISOR, debrief_id=a_debrief),
    "debriefs.contribute": at_least(Role.SUPERVISOR, both=a_debrief_prompt),
    "debriefs.remove_point": at_least(Role.SUPERVISOR, both=a_debrief_point),
    "debriefs.workarounds": at_least(Role.MANAGER),
    "debriefs.update_workaround": at_least(Role.MANAGER, flag_id=a_workaround),
    "reflections.new": at_least(Role.STAFF),
    "reflections.mine": at_least(Role.STAFF),
    "reflections.shared": at_least(Role.SUPERVISOR),
    "reflections.show": at_least(Role.STAFF, reflection_id=a_reflection),
    "reflections.sharing": at_least(Role.STAFF, reflection_id=a_reflection),
    "supervision.checklists": at_least(Role.SUPERVISOR),
    "supervision.new_checklist": at_least(Role.MANAGER),
    "supervision.checklist": at_least(Role.SUPERVISOR, template_id=a_checklist),
    "supervision.edit_checklist": at_least(Role.MANAGER, template_id=a_checklist),
    "supervision.observe": at_least(Role.SUPERVISOR),
    "supervision.team": at_least(Role.SUPERVISOR),
    "supervision.observation_form": at_least(Role.SUPERVISOR, observation_id=a_draft_observation),
    "supervision.save_item": at_least(Role.SUPERVISOR, both=a_draft_observation_item),
    "supervision.observation": at_least(Role.STAFF, observation_id=an_observation),
    "supervision.acknowledge": at_least(Role.STAFF, observation_id=an_observation),
    "supervision.mine": at_least(Role.STAFF),
    "supervision.index": at_least(Role.SUPERVISOR),
    "supervision.new": at_least(Role.SUPERVISOR),
    "supervision.record": at_least(Role.STAFF, supervision_id=a_supervision),
    "supervision.acknowledge_record": at_least(Role.STAFF, supervision_id=a_supervision),
    "supervision.settings": at_least(Role.MANAGER),
    "supervision.add_escalation_question": at_least(Role.MANAGER),
    "supervision.retire": at_least(Role.MANAGER, question_id=an_escalation_question),
    "safeguarding.index": at_least(Role.SUPERVISOR),
    "safeguarding.best_interests_options": at_least(Role.SUPERVISOR),
    "safeguarding.restrictions": at_least(Role.SUPERVISOR),
    "safeguarding.new_restriction": at_least(Role.SUPERVISOR),
    "safeguarding.restriction": at_least(Role.SUPERVISOR, record_id=a_restriction),
    "safeguarding.edit_restriction": at_least(Role.SUPERVISOR, record_id=a_restriction),
    "safeguarding.new_best_interests": at_least(Role.MANAGER),
    "safeguarding.best_interests": at_least(Role.SUPERVISOR, decision_id=a_best_interests_decision),
    "safeguarding.register": at_least(Role.SUPERVISOR, person=a_person_reference),
    "safeguarding.new_review": at_least(Role.MANAGER, person=a_person_reference),
    "safeguarding.concerns": at_least(Role.MANAGER),
    "safeguarding.new_concern": at_least(Role.MANAGER),
    "safeguarding.concern": at_least(Role.MANAGER, concern_id=a_concern),
    "safeguarding.new_risk_session": at_least(Role.SUPERVISOR),
    "safeguarding.risk_session": at_least(Role.SUPERVISOR, session_id=a_risk_session),
    "safeguarding.trends": at_least(Role.MANAGER),
    "safeguarding.liberty_register": at_least(Role.MANAGER),
    "safeguarding.new_liberty": at_least(Role.MANAGER),
    "safeguarding.liberty": at_least(Role.MANAGER, record_id=a_liberty_application),
    "library.index": at_least(Role.STAFF),
    "library.article": at_least(Role.STAFF, article=an_article),
    "library.acknowledgement": at_least(Role.STAFF, article=an_article),
    "library.new": at_least(Role.MANAGER),
    "library.edit": at_least(Role.MANAGER, article=an_article),
    "library.withdraw_article": at_least(Role.MANAGER, article=an_article),
    "library.versions": at_least(Role.MANAGER, article=an_article),
    "library.publish_article": at_least(Role.MANAGER, article=an_article),
    "library.bulletins": at_least(Role.MANAGER),
    "library.new_bulletin": at_least(Role.MANAGER),
    "induction.index": at_least(Role.STAFF),
    "induction.team": at_least(Role.MANAGER),
    "induction.care_certificates": at_least(Role.SUPERVISOR),
    "induction.care_certificate_person": at_least(Role.SUPERVISOR, user_id=a_new_starter),
    "induction.manage": at_least(Role.MANAGER),
    "pwa.manifest": PUBLIC,
    "pwa.service_worker": PUBLIC,
    "pwa.offline": PUBLIC,
    "pwa.outbox": PUBLIC,  # a shell: the drafts themselves live on the device
    "api.openapi": PUBLIC,
    "api.session_info": at_least(Role.STAFF),  # signed out: 401 JSON, never a redirect
    "api.create_report": at_least(Role.STAFF),
    "api.create_reflection": at_least(Role.STAFF),
    "api.create_observation": at_least(Role.SUPERVISOR),
}


# Records about one person's development, whose readers follow line management
# (app/auth/policy.py, development_records): the person they are about, their writer, and
# those of a higher role who can see the service; never someone beside or above. Each
# factory makes a record in `service_id` about `subject_id` written by `writer_id` and
# answers the URL values. "line": those readers; "writer": a draft, its observer alone.
DevelopmentFactory = Callable[[int, int, int], dict]


def _checklist(service_id: int) -> ChecklistTemplate:
    template = ChecklistTemplate(service_id=service_id, name=TEXT, items=_one_item(0, 0))
    db.session.add(template)
    db.session.flush()
    return template


def _observation_about(status: ObservationStatus) -> DevelopmentFactory:
    def make(service_id: int, subject_id: int, writer_id: int) -> dict:
        template = _checklist(service_id)
        observation = Observation(
            service_id=service_id,
            template_id=template.id,
            staff_id=subject_id,
            observer_id=writer_id,
            observed_on=DAY,
            status=status,
        )
        db.session.add(observation)
        db.session.flush()
        return {"observation_id": observation.id, "item_id": template.items[0].id}

    return make


def _supervision_about(service_id: int, subject_id: int, writer_id: int) -> dict:
    supervision = Supervision(
        service_id=service_id, supervisor_id=writer_id, supervisee_id=subject_id, held_on=DAY
    )
    db.session.add(supervision)
    db.session.flush()
    return {"supervision_id": supervision.id}


DEVELOPMENT_ROUTES: dict[str, tuple[DevelopmentFactory, str]] = {
    "supervision.record": (_supervision_about, "line"),
    "supervision.acknowledge_record": (_supervision_about, "line"),
    "supervision.observation": (_observation_about(ObservationStatus.COMPLETED), "line"),
    "supervision.acknowledge": (_observation_about(ObservationStatus.COMPLETED), "line"),
    "supervision.observation_form": (_observation_about(ObservationStatus.DRAFT), "writer"),
    "supervision.save_item": (_observation_about(ObservationStatus.DRAFT), "writer"),
}
