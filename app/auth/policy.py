"""The access policy: the one place that says who may do what, and to which records.

Two questions are asked for every record:
- *role*: may someone with this role take this action at all? (403 when not)
- *scope*: does the record belong to a service this person can see? (404 when not, so
  records in other services cannot even be discovered by guessing ids)

Staff, supervisors and managers see their own service; an admin sees every service of
their organisation. Feature blueprints add their actions to PERMISSIONS.

A few records may also be opened by someone whose role is too low, because of their own part
in that record (a care worker reads a debrief they attended). Those are RECORD_GRANTS: a SQL
condition per action, checked on the record together with the scope, never instead of it.

Records about one member of staff's development (supervisions and competency observations)
follow line management instead of the service alone: see `development_records()`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select

from app.extensions import db
from app.models import (
    Debrief,
    DebriefAttendee,
    Observation,
    ObservationStatus,
    Role,
    Service,
    Supervision,
    User,
)

PERMISSIONS: dict[str, Role] = {
    "people.view": Role.MANAGER,
    "people.manage": Role.MANAGER,
    "people.grant_admin": Role.ADMIN,
    "people.end_sessions": Role.ADMIN,
    "audit.view": Role.ADMIN,
    "services.all": Role.ADMIN,
    "governance.dashboard": Role.MANAGER,
    "governance.evidence": Role.MANAGER,
    "meetings.view": Role.STAFF,
    "meetings.record": Role.SUPERVISOR,
    "pulse.answer": Role.STAFF,
    "pulse.results": Role.MANAGER,
    "board.view": Role.STAFF,
    "board.manage": Role.MANAGER,
    "mail.problems": Role.MANAGER,
    "reports.create": Role.STAFF,
    "reports.review": Role.MANAGER,
    "debriefs.view": Role.SUPERVISOR,
    "debriefs.run": Role.SUPERVISOR,
    "reflections.write": Role.STAFF,
    "reflections.read_shared": Role.SUPERVISOR,
    "workarounds.manage": Role.MANAGER,
    # Supervision and competency observations (app/supervision). Staff read their own
    # observations and supervisions through the record's staff/supervisee check.
    "development.own": Role.STAFF,
    "observations.record": Role.SUPERVISOR,
    "supervision.hold": Role.SUPERVISOR,
    "checklists.manage": Role.MANAGER,
    "supervision.settings": Role.MANAGER,
    # Safeguarding: supervisors record restrictions and positive risk sessions and see the
    # register; managers also complete concerns, best-interests decisions, reviews and views.
    "safeguarding.record": Role.SUPERVISOR,
    "safeguarding.manage": Role.MANAGER,
    "library.write": Role.MANAGER,
    "library.publish": Role.MANAGER,
    "induction.team": Role.MANAGER,
    # Supervisors (and up) record Care Certificate assessments for people in their service.
    "induction.assess": Role.SUPERVISOR,
    "induction.manage": Role.MANAGER,
}


def attended_debrief(user: User) -> ColumnElement[bool]:
    """Debriefs `user` took part in: attendance is per record, so it is no role permission."""
    return Debrief.attendees.any(DebriefAttendee.user_id == user.id)


# Action -> (model, the records of it someone below the action's role may still take it on,
# because of their own part in them). The service scope applies too; any other record is 404.
RECORD_GRANTS: dict[str, tuple[type, Callable[[User], ColumnElement[bool]]]] = {
    "debriefs.view": (Debrief, attended_debrief),
}


def role_allows(role: Role, action: str) -> bool:
    """True when `role` (or a role above it) is enough for `action`."""
    return role.rank >= PERMISSIONS[action].rank


def can(user: User, action: str) -> bool:
    """True when `user`'s role allows `action` anywhere in their scope."""
    if not user.is_authenticated:
        return False
    return role_allows(user.role, action)


def require(action: str) -> Callable:
    """View decorator: sign-in is handled by Flask-Login; here a role too low gets 403.

    The view keeps the action as `required_action` (functools.wraps carries it through
    login_required too), so the menu (app/navigation.py) asks the same rule as the page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def visible_service_ids(user: User):
    """A subquery of the ids of the services `user` may see."""
    if user.role is Role.ADMIN:
        return select(Service.id).where(Service.organisation_id == user.organisation_id)
    return select(Service.id).where(Service.id == user.service_id)


def in_scope(user: User, service_column) -> ColumnElement[bool]:
    """A SQL condition limiting `service_column` to the services `user` may see."""
    if user.role is Role.ADMIN:
        return service_column.in_(visible_service_ids(user))
    return service_column == user.service_id


def can_see_service(user: User, service_id: int) -> bool:
    if user.role is Role.ADMIN:
        service = db.session.get(Service, service_id)
        return service is not None and service.organisation_id == user.organisation_id
    return service_id == user.service_id


def record_condition(user: User, action: str, model) -> ColumnElement[bool]:
    """The SQL condition on `model` for the records `user` may take `action` on: the service
    scope, narrowed by the action's record grant when the role alone does not reach it.

    A role too low with no grant for the action is 403 straight away (nothing to look up).
    """
    if can(user, action):
        return in_scope(user, model.service_id)
    granted_model, granted = RECORD_GRANTS.get(action, (None, None))
    if granted_model is not model or not user.is_authenticated:
        abort(403)
    return and_(in_scope(user, model.service_id), granted(user))


def get_or_404(model, record_id: int, action: str, user: User | None = None):
    """Fetch one record for `action`, checking the role (or a record grant) and the record's
    service.

    Every view that loads a record by id goes through here, so the scope check is never
    forgotten on a detail page even when the list page already filtered. A record reached
    only through a grant and not granted answers 404, like a record of another service, so
    nobody learns which debriefs exist that they were not part of.
    """
    user = user or current_user
    condition = record_condition(user, action, model)
    record = db.session.scalars(select(model).where(model.id == record_id, condition)).first()
    if record is None:
        abort(404)
    return record


def assignable_roles(user: User) -> list[Role]:
    """The roles `user` may give to others: managers up to manager, admins any."""
    if can(user, "people.grant_admin"):
        return list(Role)
    return [role for role in Role if role.rank <= Role.MANAGER.rank]


def services_for(user: User) -> list[Service]:
    """The services `user` may choose between (one for most people, all for an admin)."""
    return list(
        db.session.scalars(
            select(Service).where(Service.id.in_(visible_service_ids(user))).order_by(Service.name)
        )
    )


# -- Development records: supervisions and competency observations ----------------------------
#
# A supervision or an observation is about one member of staff (the subject) and written by
# one person (the writer). It may be read by the subject, by the writer, and by those who
# line-manage the subject. LearnLoop records no reporting lines, only roles and services, so
# line management is read from those: someone line-manages the people of a lower role in the
# services they can see (a supervisor their care workers; a manager also their supervisors,
# in their own service; an admin also the managers, across the organisation). Nobody reads
# the record of someone beside or above them: a supervisor never reads their manager's
# supervision, a manager never another manager's.

DEVELOPMENT_RECORDS: dict[type, tuple[str, str]] = {
    Supervision: ("supervisee_id", "supervisor_id"),
    Observation: ("staff_id", "observer_id"),
}


def roles_below(user: User) -> list[Role]:
    """The roles `user` line-manages (and so supervises and observes)."""
    return [role for role in Role if role.rank < user.role.rank]


def development_records(user: User, model) -> ColumnElement[bool]:
    """The SQL condition on `model` (Supervision or Observation) for the records `user` may
    read: about them, written by them, or about someone they line-manage in a service they
    can see. Drafts are the writer's alone until finished."""
    subject_column, writer_column = (getattr(model, n) for n in DEVELOPMENT_RECORDS[model])
    managed = select(User.id).where(User.role.in_(roles_below(user)))
    readable = or_(
        subject_column == user.id,
        writer_column == user.id,
        and_(in_scope(user, model.service_id), subject_column.in_(managed)),
    )
    if model is Observation:
        readable = and_(
            readable,
            or_(Observation.status == ObservationStatus.COMPLETED, writer_column == user.id),
        )
    return readable


def get_development_record_or_404(model, record_id: int, user: User | None = None):
    """One supervision or observation `user` may read (development_records), else 404."""
    user = user or current_user
    if not user.is_authenticated:
        abort(404)
    record = db.session.scalars(
        select(model).where(model.id == record_id, development_records(user, model))
    ).first()
    if record is None:
        abort(404)
    return record


def get_draft_observation_or_404(observation_id: int, user: User | None = None) -> Observation:
    """A draft observation, for the observer who started it and nobody else (404 otherwise):
    only they change or finish it, and never when it is about themselves."""
    user = user or current_user
    if not can(user, "observations.record"):
        abort(403)
    observation = db.session.scalars(
        select(Observation).where(
            Observation.id == observation_id,
            Observation.observer_id == user.id,
            Observation.staff_id != user.id,
            in_scope(user, Observation.service_id),
        )
    ).first()
    if observation is None:
        abort(404)
    return observation
