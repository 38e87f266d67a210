"""Dates people choose are UK dates, whatever time zone the server runs in."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest
import time_machine

from app.extensions import db
from app.models import Supervision, User
from app.models.base import uk_today
from app.supervision.supervisions import record_supervision

# 00:30 British Summer Time on 31 October 2027 is still 30 October in UTC.
JUST_AFTER_MIDNIGHT_BST = datetime.fromisoformat("2027-10-31T00:30:00+01:00")


@pytest.fixture
def server_on_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_uk_today_is_the_date_on_the_wall_not_the_servers(server_on_utc):
    with time_machine.travel(JUST_AFTER_MIDNIGHT_BST, tick=False):
        assert date.today() == date(2027, 10, 30)  # what the server's own clock says
        assert uk_today() == date(2027, 10, 31)


def test_a_supervision_held_today_is_not_in_the_future_just_after_midnight(
    app, world, server_on_utc
):
    with time_machine.travel(JUST_AFTER_MIDNIGHT_BST, tick=True), app.app_context():
        supervisor = db.session.get(User, world.supervisor.id)
        carer = db.session.get(User, world.staff.id)
        saved = record_supervision(
            supervisor,
            carer,
            held_on=date(2027, 10, 31),
            discussion={"wellbeing": "Tired after the clocks went back, but fine."},
            escalation=[],
            actions=[],
        )
        assert db.session.get(Supervision, saved.id).held_on == date(2027, 10, 31)
