"""Who may reach every route: one line per endpoint. test_route_access.py walks app.url_map
and fails on any endpoint missing here, so a new page is classified before it ships.

Add a line when you add a route:
- `PUBLIC`                                   anyone, signed in or not
- `at_least(Role.X)`                         signed in, role X or above; others get 403
- `at_least(Role.X, record_id=make_thing)`   the same, for a route taking a record id: the
  test also opens a record of another service (and organisation) and expects 404 or 403.
  `make_thing(service_id, owner_id)` creates a record in that service belonging to that
  person (where records have an owner) and returns its id; it runs in an app context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.extensions import db
from app.models import Role, User


@dataclass(frozen=True)
class Access:
    public: bool = False
    role: Role | None = None
    records: dict[str, Callable[[int, int], int]] = field(default_factory=dict)
    example: dict[str, str] = field(default_factory=dict)  # URL values for public routes


PUBLIC = Access(public=True)


def at_least(role: Role, **records: Callable[[int, int], int]) -> Access:
    return Access(role=role, records=records)


_made = 0


def a_person(service_id: int, _owner_id: int) -> int:
    """A care worker in that service (the record of people admin)."""
    global _made
    _made += 1
    person = User(
        name=f"Route Check {_made}",
        email=f"route-check-{_made}@example.org",
        role=Role.STAFF,
        service_id=service_id,
    )
    db.session.add(person)
    db.session.flush()
    return person.id


def a_meeting(service_id: int, owner_id: int) -> int:
    """A team meeting of that service, recorded by `owner_id`."""
    from datetime import date

    from app.models import Meeting, MeetingKind

    meeting = Meeting(
        service_id=service_id,
        kind=MeetingKind.TEAM,
        held_on=date(2026, 1, 5),
        title="Route check meeting",
        minutes="",
        recorded_by_id=owner_id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting.id


def a_notification(service_id: int, owner_id: int) -> int:
    """A notification for `owner_id`."""
    from app.models import Notification

    note = Notification(user_id=owner_id, service_id=service_id, kind="test", message="Hello")
    db.session.add(note)
    db.session.flush()
    return note.id


def a_failed_email(service_id: int, _owner_id: int) -> int:
    """An email of that service that could not be sent."""
    from app.models import EmailTopic, MailStatus, OutboundEmail

    message = OutboundEmail(
        service_id=service_id,
        to_address="someone@example.org",
        topic=list(EmailTopic)[0],
        subject="Test",
        body="Test",
        status=MailStatus.FAILED,
    )
    db.session.add(message)
    db.session.flush()
    return message.id


def a_report(service_id: int, owner_id: int) -> int:
    """A near miss reported by `owner_id` in that service."""
    from datetime import date

    from app.models import Category, Report, ReportKind

    report = Report(
        service_id=service_id,
        reporter_id=owner_id,
        kind=ReportKind.NEAR_MISS,
        category=Category.FALLS,
        description="Route check",
        occurred_on=date(2026, 1, 5),
    )
    db.session.add(report)
    db.session.flush()
    return report.id


def a_report_with_action(service_id: int, owner_id: int) -> dict:
    """A report and an action agreed on it (for URLs that name both)."""
    from app.models import Action

    report_id = a_report(service_id, owner_id)
    action = Action(service_id=service_id, report_id=report_id, description="Route check")
    db.session.add(action)
    db.session.flush()
    return {"report_id": report_id, "action_id": action.id}


def a_debrief(service_id: int, owner_id: int) -> int:
    """A structured debrief of that service, led and attended by `owner_id` (so a care
    worker may read it; the routes that change it still need a supervisor)."""
    from datetime import date

    from app.models import Debrief, DebriefAttendee, DebriefFormat

    debrief = Debrief(
        service_id=service_id,
        format=DebriefFormat.STRUCTURED,
        held_on=date(2026, 1, 5),
        facilitator_id=owner_id,
        created_by_id=owner_id,
        attendees=[DebriefAttendee(user_id=owner_id)],
    )
    db.session.add(debrief)
    db.session.flush()
    return debrief.id


def a_debrief_prompt(service_id: int, owner_id: int) -> dict:
    return {"debrief_id": a_debrief(service_id, owner_id), "prompt_key": "helped"}


def a_debrief_point(service_id: int, owner_id: int) -> dict:
    from app.models import DebriefContribution

    debrief_id = a_debrief(service_id, owner_id)
    point = DebriefContribution(
        debrief_id=debrief_id, prompt="helped", text="Route check", added_by_id=owner_id
    )
    db.session.add(point)
    db.session.flush()
    return {"debrief_id": debrief_id, "contribution_id": point.id}


def a_workaround(service_id: int, _owner_id: int) -> int:
    from app.models import WorkaroundFlag

    flag = WorkaroundFlag(service_id=service_id, description="Route check workaround")
    db.session.add(flag)
    db.session.flush()
    return flag.id


def a_reflection(service_id: int, owner_id: int) -> int:
    """A private reflection written by `owner_id`."""
    from app.models import Reflection, ReflectionTemplate

    reflection = Reflection(
        service_id=service_id,
        author_id=owner_id,
        template=ReflectionTemplate.HELPED_HINDERED,
        answers={"helped": "x"},
    )
    db.session.add(reflection)
    db.session.flush()
    return reflection.id


def a_checklist(service_id: int, _owner_id: int) -> int:
    from app.models import ChecklistItem, ChecklistTemplate

    template = ChecklistTemplate(service_id=service_id, name="Route check checklist")
    db.session.add(template)
    db.session.flush()
    db.session.add(ChecklistItem(template_id=template.id, text="Washes hands"))
    db.session.flush()
    return template.id


def an_observation(service_id: int, owner_id: int, *, draft: bool = False) -> int:
    """An observation of `owner_id`, recorded by `owner_id` (so each role may open it)."""
    from datetime import date

    from app.models import Observation, ObservationStatus

    status = ObservationStatus.DRAFT if draft else list(ObservationStatus)[-1]
    observation = Observation(
        service_id=service_id,
        template_id=a_checklist(service_id, owner_id),
        staff_id=owner_id,
        observer_id=owner_id,
        status=status,
        observed_on=date(2026, 1, 5),
    )
    db.session.add(observation)
    db.session.flush()
    return observation.id


def a_draft_observation(service_id: int, owner_id: int) -> int:
    return an_observation(service_id, owner_id, draft=True)


def a_draft_observation_item(service_id: int, owner_id: int) -> dict:
    from app.models import ChecklistItem, Observation

    observation = db.session.get(Observation, a_draft_observation(service_id, owner_id))
    item = db.session.query(ChecklistItem).filter_by(template_id=observation.template_id).first()
    return {"observation_id": observation.id, "item_id": item.id}


def a_supervision(service_id: int, owner_id: int) -> int:
    from datetime import date

    from app.models import Supervision

    record = Supervision(
        service_id=service_id,
        supervisor_id=owner_id,
        supervisee_id=owner_id,
        held_on=date(2026, 1, 5),
    )
    db.session.add(record)
    db.session.flush()
    return record.id


def an_escalation_question(service_id: int, _owner_id: int) -> int:
    from app.models import EscalationQuestion

    question = EscalationQuestion(service_id=service_id, text="Who do you call at night?")
    db.session.add(question)
    db.session.flush()
    return question.id


def a_restriction(service_id: int, owner_id: int) -> int:
    from datetime import UTC, datetime

    from app.models.safeguarding import CapacityFinding, RestraintType, RestrictivePractice

    record = RestrictivePractice(
        service_id=service_id,
        person_reference="RC1",
        restraint_type=list(RestraintType)[-1],
        started_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
        duration_minutes=5,
        in_plan=False,
        capacity=CapacityFinding.NOT_CONSIDERED,
    )
    db.session.add(record)
    db.session.flush()
    return record.id


def a_best_interests_decision(service_id: int, _owner_id: int) -> int:
    from datetime import date

    from app.models.safeguarding import BestInterestsDecision

    text = "Route check"
    decision = BestInterestsDecision(
        service_id=service_id,
        person_reference="RC1",
        decision=text,
        capacity_assessment=text,
        regain_capacity=text,
        person_involvement=text,
        wishes_and_values=text,
        consulted=text,
        least_restrictive_option=text,
        decided_on=date(2026, 1, 5),
        review_on=date(2026, 7, 5),
    )
    db.session.add(decision)
    db.session.flush()
    return decision.id


def a_concern(service_id: int, owner_id: int) -> int:
    from datetime import UTC, datetime

    from app.models.safeguarding import ConcernType, SafeguardingConcern

    concern = SafeguardingConcern(
        service_id=service_id,
        person_reference="RC1",
        concern_type=list(ConcernType)[0],
        what_happened="Route check",
        raised_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
        recorded_by_id=owner_id,
    )
    db.session.add(concern)
    db.session.flush()
    return concern.id


def a_risk_session(service_id: int, owner_id: int) -> int:
    from datetime import date

    from app.models.safeguarding import PositiveRiskSession

    text = "Route check"
    session = PositiveRiskSession(
        service_id=service_id,
        person_reference="RC1",
        held_on=date(2026, 1, 5),
        attendees=text,
        person_wanted=text,
        risks=text,
        least_restrictive_option=text,
        next_time=text,
        facilitator_id=owner_id,
    )
    db.session.add(session)
    db.session.flush()
    return session.id


def a_person_reference(service_id: int, _owner_id: int) -> dict:
    """A person supported, by their service's reference (the register's URL names both)."""
    return {"service_id": service_id, "reference": "RC1"}


def an_article(service_id: int, _owner_id: int) -> dict:
    """A published guide written for that one service (so other services cannot see it)."""
    from app.models import Service
    from app.models.base import utcnow
    from app.models.library import Article, ArticleKind, ArticleStatus

    global _made
    _made += 1
    service = db.session.get(Service, service_id)
    article = Article(
        organisation_id=service.organisation_id,
        service_id=service_id,
        kind=ArticleKind.GUIDE,
        slug=f"route-check-{_made}",
        title="Route check",
        summary="Route check",
        body="Route check",
        body_html="<p>Route check</p>",
        status=ArticleStatus.PUBLISHED,
        published_at=utcnow(),
    )
    db.session.add(article)
    db.session.flush()
    return {"slug": article.slug}


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
    "auth.people": at_least(Role.MANAGER),
    "auth.new_person": at_least(Role.MANAGER),
    "auth.person": at_least(Role.MANAGER, person_id=a_person),
    "auth.deactivate_person": at_least(Role.MANAGER, person_id=a_person),
    "auth.reactivate_person": at_least(Role.MANAGER, person_id=a_person),
    "auth.end_person_sessions": at_least(Role.ADMIN, person_id=a_person),
    "admin.audit": at_least(Role.ADMIN),
    "governance.dashboard": at_least(Role.MANAGER),
    "governance.evidence_pack": at_least(Role.MANAGER),
    "governance.evidence_pdf": at_least(Role.MANAGER),
    "governance.evidence_zip": at_least(Role.MANAGER),
    "governance.meetings": at_least(Role.STAFF),
    "governance.new_meeting": at_least(Role.SUPERVISOR),
    "governance.meeting": at_least(Role.STAFF, meeting_id=a_meeting),
    "governance.pulse": at_least(Role.STAFF),
    "governance.pulse_summary": at_least(Role.MANAGER),
    "governance.board": at_least(Role.STAFF),
    "governance.add_to_board": at_least(Role.MANAGER),
    "notifications.accept_invitation": Access(public=True, example={"token": "not-a-real-link"}),
    "notifications.reset": PUBLIC,
    "notifications.reset_with_link": Access(public=True, example={"token": "not-a-real-link"}),
    "notifications.dev_mailbox": PUBLIC,  # development only: 404 in production
    "notifications.index": at_least(Role.STAFF),
    "notifications.read_all": at_least(Role.STAFF),
    "notifications.settings": at_least(Role.STAFF),
    "notifications.read": at_least(Role.STAFF, notification_id=a_notification),
    "notifications.open_notification": at_least(Role.STAFF, notification_id=a_notification),
    "notifications.invite": at_least(Role.MANAGER),
    "notifications.import_upload": at_least(Role.MANAGER),
    "notifications.import_confirm": at_least(Role.MANAGER),
    "notifications.reinvite": at_least(Role.MANAGER, person_id=a_person),
    "notifications.mail_problems": at_least(Role.MANAGER),
    "notifications.retry_mail": at_least(Role.MANAGER, message_id=a_failed_email),
    "reports.receipt": PUBLIC,  # anonymous reporters open feedback with their receipt code
    "reports.new": at_least(Role.STAFF),
    "reports.create": at_least(Role.STAFF),
    "reports.follow_up": at_least(Role.STAFF),
    "reports.mine": at_least(Role.STAFF),
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
