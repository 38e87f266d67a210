"""The pieces every area's forms share (app/forms.py): long text is refused whole, in the words
the JSON API uses, and no browser cuts a paste short; choices come from the model enums."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.extensions import db
from app.models import MeetingKind, Reflection
from tests.conftest import post_form
from tests.functional.test_offline_api import csrf_header

TOO_LONG_1000 = "This can be up to 1000 characters. Please shorten it and send it again."


def test_a_long_workaround_gets_the_same_words_from_the_form_and_the_api(app, signed_in, world):
    client = signed_in(world.staff)
    long_workaround = "w" * 1001
    page = post_form(
        client,
        "/reflect",
        {"template": "helped_hindered", "helped": "Tom came.", "workaround": long_workaround},
        page_url="/reflect",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert TOO_LONG_1000 in html
    assert long_workaround in html  # all of it is back in the box to shorten

    body = {
        "client_id": str(uuid.uuid4()),
        "template": "helped_hindered",
        "answers": {"helped": "Tom came."},
        "workaround": long_workaround,
    }
    response = client.post("/api/v1/reflections", json=body, headers=csrf_header(client))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"workaround": [TOO_LONG_1000]}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reflection)) == 0


def test_free_text_boxes_carry_no_maxlength_to_cut_a_paste(signed_in, world):
    client = signed_in(world.staff)
    html = client.get("/reflect").get_data(as_text=True)
    assert 'name="workaround"' in html and 'name="helped"' in html
    assert "maxlength" not in html


def test_a_meeting_title_over_its_limit_is_refused_whole(signed_in, world):
    client = signed_in(world.manager)
    form = client.get("/meetings/new").get_data(as_text=True)
    for kind in MeetingKind:  # the options are the model's, value and label
        assert f'value="{kind.value}">{kind.label}<' in form
    title = "T" * 201
    page = post_form(
        client,
        "/meetings/new",
        {"kind": "team", "held_on": "2026-11-02", "title": title, "minutes": "Short."},
        page_url="/meetings/new",
    )
    html = page.get_data(as_text=True)
    assert "This can be up to 200 characters. Please shorten it and send it again." in html
    assert f'value="{title}"' in html
