"""One set of rules for an observation's body (app/supervision/schemas.py): the /observe form
and the offline API refuse the same answers with the same message under the same field key,
the page's, and text over its limit is refused whole, never cut short."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Action, Observation, ObservationStatus, User
from app.supervision.observations import start_observation
from tests.conftest import csrf_token_from, post_form
from tests.functional.test_observations import make_checklist
from tests.functional.test_offline_api import csrf_header

TOO_LONG = "This can be up to {} characters. Please shorten it and send it again."
DATE_LIKE = "Enter the date like 2026-12-24."
NOT_YET = ("met", "not_yet", "met")  # the second item is critical: a plan is needed


def _draft(app, world) -> tuple[int, list[int]]:
    with app.app_context():
        template_id = make_checklist(world.willow.id)
        from app.models import ChecklistTemplate

        draft = start_observation(
            db.session.get(User, world.supervisor.id),
            db.session.get(User, world.staff.id),
            db.session.get(ChecklistTemplate, template_id),
            [],
        )
        return draft.id, [item.id for item in draft.items]


def _all_met(ids: list[int]) -> dict:
    return {f"item-{i}": "met" for i in ids}


# (what is wrong, the form's fields, the API's nested body, the key, the message). The form's
# fields and the API's body say the same thing; each case is otherwise a valid observation.
CASES = [
    (
        "a note too long",
        lambda ids: {**_all_met(ids), f"note-{ids[0]}": "n" * 2001},
        lambda ids: {
            "items": {
                str(i): {"result": "met", **({"note": "n" * 2001} if i == ids[0] else {})}
                for i in ids
            }
        },
        lambda ids: f"note-{ids[0]}",
        TOO_LONG.format(2000),
    ),
    (
        "a summary too long",
        lambda ids: {**_all_met(ids), "summary": "s" * 4001},
        lambda ids: {"items": {str(i): {"result": "met"} for i in ids}, "summary": "s" * 4001},
        lambda ids: "summary",
        TOO_LONG.format(4000),
    ),
    (
        "the second action too long",
        lambda ids: {**_all_met(ids), "action_1": "Shadow Tom", "action_2": "a" * 501},
        lambda ids: {
            "items": {str(i): {"result": "met"} for i in ids},
            "actions": [{"description": "Shadow Tom"}, {"description": "a" * 501}],
        },
        lambda ids: "action_2",
        TOO_LONG.format(500),
    ),
    (
        "an action's date not a date",
        lambda ids: {**_all_met(ids), "action_1": "Shadow Tom", "action_1_due": "next week"},
        lambda ids: {
            "items": {str(i): {"result": "met"} for i in ids},
            "actions": [{"description": "Shadow Tom", "due_on": "next week"}],
        },
        lambda ids: "action_1_due",
        DATE_LIKE,
    ),
    (
        "the date to observe again not a date",
        lambda ids: {**_all_met(ids), "reobserve_on": "24/12/2026"},
        lambda ids: {"items": {str(i): {"result": "met"} for i in ids}, "reobserve_on": "24/12"},
        lambda ids: "reobserve_on",
        DATE_LIKE,
    ),
    (
        "a result that is not a choice",
        lambda ids: {**_all_met(ids), f"item-{ids[1]}": "maybe"},
        lambda ids: {"items": {str(i): {"result": "maybe" if i == ids[1] else "met"} for i in ids}},
        lambda ids: f"item-{ids[1]}",
        "Choose met, not yet or N/A.",
    ),
    (
        "an outcome that is not a choice",
        lambda ids: {**_all_met(ids), "outcome": "brilliant"},
        lambda ids: {"items": {str(i): {"result": "met"} for i in ids}, "outcome": "brilliant"},
        lambda ids: "outcome",
        "Choose competent or not yet competent.",
    ),
    (
        "no plan when not yet competent",
        lambda ids: {
            **{f"item-{i}": r for i, r in zip(ids, NOT_YET, strict=True)},
            "reobserve_on": "2999-01-01",
        },
        lambda ids: {
            "items": {str(i): {"result": r} for i, r in zip(ids, NOT_YET, strict=True)},
            "reobserve_on": "2999-01-01",
        },
        lambda ids: "action_1",
        "Add at least one development action: what support will help?",
    ),
]


def _nothing_saved(app, draft_id: int) -> None:
    with app.app_context():
        observation = db.session.get(Observation, draft_id)
        assert observation.status is ObservationStatus.DRAFT
        assert all(answer.note is None for answer in observation.answers)
        assert observation.summary is None
        assert db.session.scalar(select(func.count()).select_from(Action)) == 0


@pytest.mark.parametrize(
    ("form_fields", "api_body", "key", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_form_and_the_api_refuse_alike_beside_the_same_field(
    app, client, signed_in, world, form_fields, api_body, key, message
):
    draft_id, ids = _draft(app, world)
    signed_in(world.supervisor)
    url = f"/observe/{draft_id}"
    sent = form_fields(ids)
    page = post_form(client, url, sent, page_url=url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'id="{key(ids)}-error">{message}<' in body  # beside its own box
    assert f">{message}</a>" in body  # and in the list at the top of the page
    for value in sent.values():
        if len(value) > 100:
            assert value in body  # what was typed is kept, whole
    _nothing_saved(app, draft_id)

    api = client.post(
        "/api/v1/observations",
        json={"client_id": str(uuid.uuid4()), "draft_id": draft_id, **api_body(ids)},
        headers=csrf_header(client),
    )
    assert api.status_code == 400, api.get_json()
    assert api.get_json()["errors"][key(ids)] == [message]
    _nothing_saved(app, draft_id)


def test_the_table_keys_are_the_page_boxes(app, client, signed_in, world):
    """Every key in the table names a box on the page, so the outbox (which finds a box by
    its name) shows an API refusal beside it too."""
    draft_id, ids = _draft(app, world)
    signed_in(world.supervisor)
    page = client.get(f"/observe/{draft_id}").get_data(as_text=True)
    for case in CASES:
        assert f'name="{case[3](ids)}"' in page, case[0]


def test_the_api_sending_the_pages_own_fields_gets_the_same_keys(app, signed_in, world):
    draft_id, ids = _draft(app, world)
    client = signed_in(world.supervisor)
    body = {
        "client_id": str(uuid.uuid4()),
        "draft_id": draft_id,
        **_all_met(ids),
        f"note-{ids[2]}": "n" * 2001,
        "action_3": "a" * 501,
    }
    errors = client.post("/api/v1/observations", json=body, headers=csrf_header(client)).get_json()
    assert errors["errors"] == {
        f"note-{ids[2]}": [TOO_LONG.format(2000)],
        "action_3": [TOO_LONG.format(500)],
    }


def test_a_long_note_saved_as_it_is_typed_is_refused_not_cut(app, client, signed_in, world):
    draft_id, ids = _draft(app, world)
    signed_in(world.supervisor)
    url = f"/observe/{draft_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/items/{ids[0]}",
        data={f"item-{ids[0]}": "met", f"note-{ids[0]}": "n" * 2001},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 422
    assert TOO_LONG.format(2000) in response.get_data(as_text=True)
    _nothing_saved(app, draft_id)
    with app.app_context():
        assert not db.session.get(Observation, draft_id).answers


def test_the_observation_boxes_have_no_maxlength_and_say_their_limit(app, client, signed_in, world):
    """A browser cuts a pasted text at a maxlength without a word: the boxes have none."""
    draft_id, ids = _draft(app, world)
    signed_in(world.supervisor)
    page = client.get(f"/observe/{draft_id}").get_data(as_text=True)
    assert "maxlength=" not in page.replace("data-maxlength=", "")
    assert f'id="note-{ids[0]}-limit">You can enter up to 2,000 characters.' in page
    assert 'id="summary-limit">You can enter up to 4,000 characters.' in page
    assert 'id="action_1-limit">You can enter up to 500 characters.' in page


def test_a_long_acknowledgement_comment_is_refused_and_kept(app, client, signed_in, world):
    draft_id, ids = _draft(app, world)
    signed_in(world.supervisor)
    url = f"/observe/{draft_id}"
    assert post_form(client, url, _all_met(ids), page_url=url).status_code == 302
    post_form(client, "/logout", {})
    signed_in(world.staff)
    page_url = f"/observations/{draft_id}"
    assert "maxlength=" not in client.get(page_url).get_data(as_text=True).replace(
        "data-maxlength=", ""
    )
    comment = "c" * 2001
    response = post_form(client, f"{page_url}/acknowledge", {"comment": comment}, page_url=page_url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="comment-error">{TOO_LONG.format(2000)}<' in body and comment in body
    with app.app_context():
        observation = db.session.get(Observation, draft_id)
        assert observation.acknowledged_at is None and observation.staff_comment is None
