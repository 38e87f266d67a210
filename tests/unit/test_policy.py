"""The access policy: role checks and service scope."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from app.auth.policy import assignable_roles, can, get_or_404, services_for
from app.extensions import db
from app.models import Debrief, Report, Role, User
from tests.debrief_helpers import make_debrief


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _user(world, name) -> User:
    return db.session.get(User, getattr(world, name).id)


def test_roles_build_on_each_other(ctx, world):
    assert not can(_user(world, "staff"), "people.view")
    assert not can(_user(world, "supervisor"), "people.view")
    assert can(_user(world, "manager"), "people.view")
    assert can(_user(world, "admin"), "people.grant_admin")
    assert not can(_user(world, "manager"), "people.grant_admin")


def test_manager_fetches_only_their_services_records(ctx, world):
    manager = _user(world, "manager")
    assert get_or_404(User, world.staff.id, "people.view", manager).id == world.staff.id
    with pytest.raises(NotFound):
        get_or_404(User, world.riverside_staff.id, "people.view", manager)


def test_admin_reaches_every_service_of_their_organisation_only(ctx, world):
    admin = _user(world, "admin")
    assert get_or_404(User, world.riverside_staff.id, "people.view", admin)
    with pytest.raises(NotFound):
        get_or_404(User, world.faraway_staff.id, "people.view", admin)
    assert {s.name for s in services_for(admin)} == {"Willow House", "Riverside"}


def test_role_too_low_is_forbidden_before_the_record_is_looked_up(ctx, world):
    with pytest.raises(Forbidden):
        get_or_404(User, world.staff.id, "people.view", _user(world, "staff"))


def test_managers_cannot_hand_out_admin(ctx, world):
    assert Role.ADMIN not in assignable_roles(_user(world, "manager"))
    assert Role.ADMIN in assignable_roles(_user(world, "admin"))


def test_attending_a_debrief_opens_that_debrief_to_read_and_nothing_more(ctx, world):
    """Attendance is a per-record grant: it reads the debrief, never changes it, and does
    not stretch to other records under the same action."""
    attended = make_debrief(world.supervisor, attendees=[world.staff])
    other = make_debrief(world.supervisor)
    staff = _user(world, "staff")
    assert get_or_404(Debrief, attended, "debriefs.view", staff).id == attended
    with pytest.raises(NotFound):
        get_or_404(Debrief, other, "debriefs.view", staff)
    with pytest.raises(Forbidden):
        get_or_404(Debrief, attended, "debriefs.run", staff)
    with pytest.raises(Forbidden):
        get_or_404(Report, attended, "debriefs.view", staff)
