"""No lost updates: two people edit the same record from forms opened on the same version;
the second save is refused with 409, showing what the first saved and what the second typed,
and the saved record keeps the first person's change. Having seen it, the second person can
still save theirs on purpose. Each record kind several people edit, through its real form;
and at the database, two saves of one version cannot both win (version_id_col).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import (
    Debrief,
    Meeting,
    Report,
    RestrictivePractice,
    SafeguardingConcern,
    Supervision,
)
from tests.functional.hostile_input import Visitor, filled, read_forms
from tests.functional.route_table import (
    DAY,
    a_concern,
    a_debrief,
    a_meeting,
    a_person,
    a_report,
    a_restriction,
    owner,
    record,
    service,
)

# The supervisee comments on their own supervision, so here the owner is the supervisee.
a_supervision_of_the_owner = record(
    Supervision, service_id=service, supervisor_id=a_person, supervisee_id=owner, held_on=DAY
)


@dataclass(frozen=True)
class Kind:
    model: type
    make: object  # route_table factory: (service_id, owner_id) -> id
    owner: str  # the world's person who owns the record
    page: str  # where the form is
    action: str  # where it posts
    field: str  # the form field both people change
    attribute: str  # the record's column it is saved in
    editors: tuple[str, str]
    theirs: str = "Checked the rota with the night team"
    mine: str = "Agreed a second check at handover"
    others: tuple = ()  # other answers both send, as (field, value)


KINDS = {
    "report review": Kind(
        Report,
        a_report,
        "staff",
        "/reports/{id}",
        "/reports/{id}/review",
        "learning_outcome",
        "learning_outcome",
        ("manager", "admin"),
    ),
    "restrictive practice": Kind(
        RestrictivePractice,
        a_restriction,
        "supervisor",
        "/safeguarding/restrictions/{id}/edit",
        "/safeguarding/restrictions/{id}/edit",
        "what_happened",
        "what_happened",
        ("manager", "supervisor"),
    ),
    "safeguarding concern": Kind(
        SafeguardingConcern,
        a_concern,
        "manager",
        "/safeguarding/concerns/{id}",
        "/safeguarding/concerns/{id}",
        "outcome",
        "outcome",
        ("manager", "admin"),
        # The outcome waits until CQC has been told (Regulation 18); told after it was raised.
        others=(
            ("escalated_at", ""),
            ("escalated_to", ""),
            ("cqc_notified_at", "2026-01-05T12:00"),
        ),
    ),
    "debrief": Kind(
        Debrief,
        a_debrief,
        "supervisor",
        "/debriefs/{id}/edit",
        "/debriefs/{id}/edit",
        "held_on",
        "held_on",
        ("supervisor", "manager"),
        theirs="2025-01-07",
        mine="2025-01-08",
    ),
    "meeting minutes": Kind(
        Meeting,
        a_meeting,
        "supervisor",
        "/meetings/{id}/minutes",
        "/meetings/{id}/minutes",
        "minutes",
        "minutes",
        ("supervisor", "manager"),
    ),
    "supervision record": Kind(
        Supervision,
        a_supervision_of_the_owner,
        "staff",
        "/supervision/{id}",
        "/supervision/{id}/acknowledge",
        "comment",
        "supervisee_comment",
        ("staff", "staff"),
    ),
}


def _make(app, world, kind: Kind) -> int:
    with app.app_context():
        record_id = kind.make(world.willow.id, getattr(world, kind.owner).id)
        db.session.commit()
        return record_id


def _open_form(visitor: Visitor, kind: Kind, record_id: int):
    page = visitor.client.get(kind.page.format(id=record_id))
    assert page.status_code == 200
    action = kind.action.format(id=record_id)
    forms = [f for f in read_forms(page.request.path, page.get_data(as_text=True))]
    (form,) = [f for f in forms if f.method == "POST" and f.path == action]
    assert "record_version" in form.fields, "the edit form carries the version it shows"
    return form


def _saved(app, kind: Kind, record_id: int):
    with app.app_context():
        value = getattr(db.session.get(kind.model, record_id), kind.attribute)
        return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("name", list(KINDS))
def test_a_save_from_an_out_of_date_form_is_refused_and_nothing_is_lost(app, world, name):
    kind = KINDS[name]
    record_id = _make(app, world, kind)
    first, second = (Visitor(app, getattr(world, editor)) for editor in kind.editors)
    first_form = _open_form(first, kind, record_id)
    second_form = _open_form(second, kind, record_id)

    saved = second.send(
        "POST",
        second_form.action,
        filled(second_form, {**dict(kind.others), kind.field: kind.theirs}, second.token),
    )
    assert saved.status_code == 302
    assert _saved(app, kind, record_id) == kind.theirs

    refused = first.send(
        "POST",
        first_form.action,
        filled(first_form, {**dict(kind.others), kind.field: kind.mine}, first.token),
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved this first" in page
    assert kind.theirs in page and kind.mine in page  # what changed, and what they typed
    assert "differs from what is saved now" in page
    assert _saved(app, kind, record_id) == kind.theirs  # nothing overwritten blind

    # Having read it, they may still save theirs: the conflict page resends it.
    (again,) = [f for f in read_forms(first_form.action, page) if "record_version" in f.fields]
    resent = first.send("POST", again.action, filled(again, {}, first.token))
    assert resent.status_code == 302
    assert _saved(app, kind, record_id) == kind.mine


def test_a_form_that_failed_validation_keeps_the_version_it_was_opened_on(app, world):
    kind = KINDS["restrictive practice"]
    record_id = _make(app, world, kind)
    first, second = Visitor(app, world.manager), Visitor(app, world.supervisor)
    first_form = _open_form(first, kind, record_id)
    second_form = _open_form(second, kind, record_id)
    second.send(
        "POST",
        second_form.action,
        filled(second_form, {**dict(kind.others), kind.field: kind.theirs}, second.token),
    )
    invalid = first.send(
        "POST", first_form.action, filled(first_form, {"duration_minutes": "many"}, first.token)
    )
    assert invalid.status_code == 200
    shown = [
        f.fields["record_version"]
        for f in read_forms(first_form.action, invalid.get_data(as_text=True))
        if "record_version" in f.fields
    ]
    assert shown and all(v == first_form.fields["record_version"] for v in shown), shown


SAVES = {
    Report: ("learning_outcome", a_report),
    RestrictivePractice: ("what_happened", a_restriction),
    SafeguardingConcern: ("outcome", a_concern),
    Debrief: ("facilitator_id", a_debrief),
    Supervision: ("supervisee_comment", a_supervision_of_the_owner),
    Meeting: ("minutes", a_meeting),
}


@pytest.mark.parametrize("model", list(SAVES), ids=[m.__name__ for m in SAVES])
def test_two_saves_of_one_version_cannot_both_win(app, world, model):
    """Both load version 1; the first commit makes it 2; the second UPDATE finds no row of
    version 1 and fails, instead of silently replacing the first."""
    column, make = SAVES[model]
    with app.app_context():
        record_id = make(world.willow.id, world.manager.id)
        db.session.commit()
    loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def save(value):
        with app.app_context():
            record = db.session.get(model, record_id)
            assert record.version == 1
            loaded.wait()
            setattr(record, column, value)
            try:
                with lock:
                    db.session.commit()
                outcomes.append("saved")
            except StaleDataError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    lock = threading.Lock()  # one commit at a time, so SQLite's lock cannot decide instead
    values = (world.supervisor.id, world.staff.id) if column == "facilitator_id" else ("A", "B")
    threads = [threading.Thread(target=save, args=(value,)) for value in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    with app.app_context():
        assert db.session.get(model, record_id).version == 2
