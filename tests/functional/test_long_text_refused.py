"""Text over its limit is refused whole, never cut short: supervision notes, answers, actions
and comments, a debrief's points, actions, summary and workaround notes, the safeguarding
registers' short answers, and a report's actions. The message stands beside its box, the box
keeps what was typed, nothing is saved, and no box has a maxlength that a browser would use to
cut a pasted text without a word."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Action,
    EscalationQuestion,
    LibertyAuthorisation,
    SafeguardingConcern,
    Supervision,
    WorkaroundFlag,
    WorkaroundStatus,
)
from app.models.base import utcnow
from tests.conftest import post_form
from tests.debrief_helpers import make_debrief, make_report
from tests.functional.test_liberty_register import NEW as NEW_LIBERTY
from tests.functional.test_liberty_register import _answers as liberty_answers
from tests.functional.test_safeguarding import _concern
from tests.functional.test_supervision import _bank, _form, _url

TOO_LONG = "This can be up to {} characters. Please shorten it and send it again."


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def no_maxlength(page: str) -> bool:
    return "maxlength=" not in page.replace("data-maxlength=", "")


def beside(page: str, box: str, limit: int) -> bool:
    return f'id="{box}-error">{TOO_LONG.format(limit)}<' in page


# -- supervision --------------------------------------------------------------------------------


def test_a_supervision_with_text_too_long_is_refused_beside_each_box(app, client, signed_in, world):
    (question_id,) = _bank(app, world, "Who is on call tonight?")
    signed_in(world.supervisor)
    assert no_maxlength(client.get(_url(world)).get_data(as_text=True))
    note, answer, action = "n" * 4001, "a" * 2001, "x" * 501
    sent = _form(world, [question_id], note_practice=note, action_2=action)
    sent[f"answer-{question_id}"] = answer
    response = post_form(client, _url(world), sent, page_url=_url(world))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert beside(page, "note_practice", 4000)
    assert beside(page, f"answer-{question_id}", 2000)
    assert beside(page, "action_2", 500)
    assert note in page and answer in page and action in page
    assert count(app, Supervision) == 0 and count(app, Action) == 0


def test_a_supervisees_long_comment_is_refused_and_kept(app, client, signed_in, world):
    signed_in(world.supervisor)
    assert post_form(client, _url(world), _form(world, []), page_url=_url(world)).status_code == 302
    with app.app_context():
        supervision_id = db.session.scalars(select(Supervision.id)).one()
    post_form(client, "/logout", {})
    signed_in(world.staff)
    url = f"/supervision/{supervision_id}"
    assert no_maxlength(client.get(url).get_data(as_text=True))
    comment = "c" * 2001
    response = post_form(client, f"{url}/acknowledge", {"comment": comment}, page_url=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and beside(page, "comment", 2000) and comment in page
    with app.app_context():
        supervision = db.session.get(Supervision, supervision_id)
        assert supervision.acknowledged_at is None and supervision.supervisee_comment is None


def test_a_question_too_long_for_the_bank_is_refused_and_kept(app, client, signed_in, world):
    signed_in(world.manager)
    assert no_maxlength(client.get("/supervision/settings").get_data(as_text=True))
    question = "q" * 301
    response = post_form(
        client, "/supervision/questions", {"text": question}, page_url="/supervision/settings"
    )
    page = response.get_data(as_text=True)
    assert beside(page, "text", 300) and question in page
    assert count(app, EscalationQuestion) == 0


# -- debriefs -----------------------------------------------------------------------------------


@pytest.fixture
def debrief_url(app, world):
    with app.app_context():
        return f"/debriefs/{make_debrief(world.supervisor)}"


@pytest.mark.parametrize(
    ("path", "box", "limit"),
    [
        ("/prompts/helped", "helped-text", 1000),
        ("/actions", "action-description", 500),
        ("/close", "learning_summary", 4000),
    ],
    ids=["a point", "an action", "the learning summary"],
)
def test_debrief_text_too_long_is_refused_and_kept(
    app, client, signed_in, world, debrief_url, path, box, limit
):
    signed_in(world.supervisor)
    assert no_maxlength(client.get(debrief_url).get_data(as_text=True))
    typed = "d" * (limit + 1)
    sent = {box: typed, "action-owner_id": str(world.manager.id)}
    response = post_form(client, f"{debrief_url}{path}", sent, page_url=debrief_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert beside(page, box, limit) and typed in page
    assert count(app, Action) == 0
    assert client.get(debrief_url).get_data(as_text=True).count(typed) == 0  # nothing saved


def test_a_long_note_on_a_workaround_is_refused_and_kept(
    app, client, signed_in, world, debrief_url
):
    signed_in(world.supervisor)
    post_form(
        client,
        f"{debrief_url}/prompts/hindered",
        {"hindered-text": "We prop the fire door open", "hindered-unsafe_workaround": "y"},
        page_url=debrief_url,
    )
    post_form(client, "/logout", {})
    signed_in(world.manager)
    assert no_maxlength(client.get("/workarounds").get_data(as_text=True))
    with app.app_context():
        flag_id = db.session.scalars(select(WorkaroundFlag.id)).one()
    note = "w" * 2001
    response = post_form(
        client,
        f"/workarounds/{flag_id}",
        {f"flag{flag_id}-status": "discussed", f"flag{flag_id}-note": note},
        page_url="/workarounds",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert beside(page, f"flag{flag_id}-note", 2000) and note in page
    with app.app_context():
        flag = db.session.get(WorkaroundFlag, flag_id)
        assert flag.status is WorkaroundStatus.RAISED and flag.discussion_note is None


# -- safeguarding -------------------------------------------------------------------------------


def test_a_liberty_application_sent_to_a_name_too_long_is_refused_not_cut(
    app, client, signed_in, world
):
    signed_in(world.manager)
    applied_to = "Shire County Council " + "a" * 200
    response = post_form(
        client, NEW_LIBERTY, liberty_answers(applied_to=applied_to), page_url=NEW_LIBERTY
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert beside(page, "applied_to", 200) and applied_to in page
    assert count(app, LibertyAuthorisation) == 0


def test_an_escalation_with_answers_too_long_is_refused_not_cut(app, client, signed_in, world):
    concern_id = _concern(app, world, hours_ago=3)
    signed_in(world.manager)
    url = f"/safeguarding/concerns/{concern_id}"
    told = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    who, reference = "Duty team " + "e" * 200, "ASC-" + "9" * 80
    response = post_form(
        client,
        url,
        {"escalated_at": told, "escalated_to": who, "la_reference": reference},
        page_url=url,
    )
    page = response.get_data(as_text=True)
    assert beside(page, "escalated_to", 200) and beside(page, "la_reference", 80)
    assert who in page and reference in page
    with app.app_context():
        concern = db.session.get(SafeguardingConcern, concern_id)
        assert concern.escalated_at is None and not concern.escalated_to


# -- a report's actions -------------------------------------------------------------------------


def test_a_reports_action_too_long_is_refused_by_the_service_not_cut(app, world):
    from app.models import Report
    from app.reports.services import ReportInvalid, add_action

    with app.app_context():
        report = db.session.get(Report, make_report(world.willow.id))
        with pytest.raises(ReportInvalid) as refused:
            add_action(
                report,
                description="a" * 501,
                owner_id=None,
                owner_name="The pharmacy " + "p" * 120,
                due_on=date.today(),
            )
        assert set(refused.value.errors) == {"description", "owner_name"}
        assert "shorten it by 1" in refused.value.errors["description"][0]
        db.session.rollback()
    assert count(app, Action) == 0


# -- the manager's review of a report -----------------------------------------------------------


@pytest.mark.parametrize(
    ("box", "limit"), [("thanks", 2000), ("learning_outcome", 5000), ("just_culture_note", 2000)]
)
def test_a_review_box_has_no_maxlength_and_refuses_a_long_text_whole(
    app, client, signed_in, world, box, limit
):
    import re

    from app.models import Report

    with app.app_context():
        report_id = make_report(world.willow.id, reporter_id=world.staff.id)
    signed_in(world.manager)
    url = f"/reports/{report_id}"
    page = client.get(url).get_data(as_text=True)
    tag = re.search(rf'<textarea[^>]*id="{box}"[^>]*>', page)[0]
    assert "maxlength=" not in tag.replace("data-maxlength=", "")
    assert f'data-maxlength="{limit}"' in tag
    typed = "r" * (limit + 1)
    response = post_form(
        client, f"{url}/review", {"status": "under_review", box: typed}, page_url=url
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    said = re.search(rf'id="{box}-error">([^<]*)<', page)[1]  # beside its box
    assert "shorten" in said and (f"{limit:,}" in said or str(limit) in said), said
    assert typed in page
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert not (report.learning_outcome or report.just_culture_note or report.thanks_message)
