"""The access policy: the one place that says who may do what, and to which records.

Two questions are asked for every record:
- *role*: may someone with this role take this action at all? (403 when not)
- *scope*: does the record belong to a service this person can see? (404 when not, so
  records in other services cannot even be discovered by guessing ids)

Staff, supervisors and managers see their own service; an admin sees every service of
their organisation. Feature blueprints add their actions to PERMISSIONS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, select

from app.extensions import db
from app.models import Role, Service, User

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
    "induction.manage": Role.MANAGER,
}


def can(user: User, action: str) -> bool:
    """True when `user`'s role allows `action` anywhere in their scope."""
    if not user.is_authenticated:
        return False
    return user.has_role(PERMISSIONS[action])


def require(action: str) -> Callable:
    """View decorator: sign-in is handled by Flask-Login; here a role too low gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

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


def get_or_404(model, record_id: int, action: str, user: User | None = None):
    """Fetch one record for `action`, checking the role and the record's service.

    Every view that loads a record by id goes through here, so the scope check is never
    forgotten on a detail page even when the list page already filtered.
    """
    user = user or current_user
    if not can(user, action):
        abort(403)
    record = db.session.scalars(
        select(model).where(model.id == record_id, in_scope(user, model.service_id))
    ).first()
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
