"""Supervision: prompts from real work, the escalation check, acknowledgement, frequency, scope."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Action,
    Category,
    Confidence,
    EscalationQuestion,
    Report,
    ReportKind,
    Supervision,
    SupervisionPolicy,
)
from app.supervision import prompts
from tests.conftest import post_form
from tests.functional.test_observations import make_checklist

TODAY = date.today()


def _bank(app, world, *texts):
    with app.app_context():
        ids = []
        for text in texts or ("Who is on call tonight?", "When do you call 999?"):
            question = EscalationQuestion(service_id=world.willow.id, text=text)
            db.session.add(question)
            db.session.flush()
            ids.append(question.id)
        db.session.commit()
        return ids


def _form(world, question_ids, **extra):
    data = {
        "supervisee_id": str(world.staff.id),
        "held_on": TODAY.isoformat(),
        "note_incidents": "We talked through the missed dose on Tuesday.",
        "action_1": "Shadow the evening round",
        "action_1_due": (TODAY + timedelta(days=7)).isoformat(),
    }
    for qid in question_ids:
        data.setdefault("question_id", []).append(str(qid))
        data[f"answer-{qid}"] = "The senior, then the on-call manager"
        data[f"confidence-{qid}"] = "confident"
    data.update(extra)
    return data


def _url(world):
    return f"/supervision/new?supervisee_id={world.staff.id}"


def test_supervisor_sees_prompts_from_the_supervisees_real_work(app, client, signed_in, world):
    with app.app_context():
        make_checklist(world.willow.id)
        db.session.add_all(
            [
                Report(
                    service_id=world.willow.id,
                    reporter_id=world.staff.id,
                    kind=ReportKind.NEAR_MISS,
                    category=Category.MEDICATION,
                    description="Two residents' tablets nearly swapped",
                    occurred_on=TODAY,
                ),
                Report(
                    service_id=world.willow.id,
                    reporter_id=None,
                    anonymous=True,
                    kind=ReportKind.INCIDENT,
                    category=Category.FALLS,
                    description="An anonymous fall report",
                    occurred_on=TODAY,
                ),
                Action(
                    service_id=world.willow.id,
                    owner_id=world.staff.id,
                    description="Read the PRN protocol for room 4",
                ),
            ]
        )
        db.session.commit()
    signed_in(world.supervisor)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Two residents&#39; tablets nearly swapped" in page
    assert "An anonymous fall report" not in page
    assert "Read the PRN protocol for room 4" in page
    assert "Medication administration: Never observed" in page


def test_a_feature_can_add_its_own_supervision_prompt(app, world, monkeypatch):
    monkeypatch.setattr(prompts.SUPERVISION_PROMPTS, "_entries", [])
    prompts.supervision_prompt("debriefs/_prompt.html", order=20)(lambda person, since: {"n": 1})
    prompts.supervision_prompt("hidden.html", order=10)(lambda person, since: None)
    with app.app_context():
        assert prompts.prompts_for(world.staff, TODAY) == [("debriefs/_prompt.html", {"n": 1})]


def test_supervision_records_notes_the_escalation_check_and_agreed_actions(
    app, client, signed_in, world
):
    on_call, call_999 = _bank(app, world)
    signed_in(world.supervisor)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Who is on call tonight?" in page and "When do you call 999?" in page
    response = post_form(
        client,
        _url(world),
        _form(world, [on_call, call_999], **{f"confidence-{call_999}": "needs_support"}),
        page_url=_url(world),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We talked through the missed dose on Tuesday." in record
    assert "Needs support" in record and "Shadow the evening round" in record
    with app.app_context():
        supervision = db.session.scalars(select(Supervision)).one()
        assert [a.confidence for a in supervision.escalation_answers] == [
            Confidence.CONFIDENT,
            Confidence.NEEDS_SUPPORT,
        ]
        assert supervision.actions[0].owner_id == world.staff.id


def test_each_escalation_answer_must_be_marked(app, client, signed_in, world):
    (on_call,) = _bank(app, world, "Who is on call tonight?")
    signed_in(world.supervisor)
    data = _form(world, [on_call])
    del data[f"confidence-{on_call}"]
    response = post_form(client, _url(world), data, page_url=_url(world))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "as confident or needs support" in body
    assert "We talked through the missed dose on Tuesday." in body  # nothing typed is lost
    with app.app_context():
        assert db.session.scalars(select(Supervision)).first() is None


def test_a_supervision_needs_notes_and_a_date_not_in_the_future(app, client, signed_in, world):
    signed_in(world.supervisor)
    data = _form(world, [], note_incidents="", held_on=(TODAY + timedelta(days=3)).isoformat())
    body = post_form(client, _url(world), data, page_url=_url(world)).get_data(as_text=True)
    assert "Write a note under at least one of the prompts." in body
    assert "The supervision date cannot be in the future." in body


def test_questions_asked_least_come_first_and_retiring_one_keeps_past_records(
    app, client, signed_in, world
):
    ids = _bank(app, world, "Q one?", "Q two?", "Q three?", "Q four?")
    signed_in(world.supervisor)
    post_form(client, _url(world), _form(world, ids[:3]), page_url=_url(world))
    page = client.get(_url(world)).get_data(as_text=True)
    assert page.index("Q four?") < page.index("Q one?")
    post_form(client, "/logout", {})
    signed_in(world.manager)
    post_form(
        client, f"/supervision/questions/{ids[0]}/retire", {}, page_url="/supervision/settings"
    )
    with app.app_context():
        supervision_id = db.session.scalars(select(Supervision)).one().id
    assert "Q one?" in client.get(f"/supervision/{supervision_id}").get_data(as_text=True)
    assert "Q one?" not in client.get("/supervision/settings").get_data(as_text=True)


def test_manager_edits_the_question_bank_and_frequency(app, client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client,
        "/supervision/questions",
        {"text": "Where is the grab sheet for hospital transfers?"},
        page_url="/supervision/settings",
    )
    assert response.status_code == 302
    assert (
        post_form(
            client, "/supervision/questions", {"text": ""}, page_url="/supervision/settings"
        ).status_code
        == 200
    )
    response = post_form(
        client, "/supervision/settings", {"every_weeks": "4"}, page_url="/supervision/settings"
    )
    assert response.status_code == 302
    bad = post_form(
        client, "/supervision/settings", {"every_weeks": "0"}, page_url="/supervision/settings"
    )
    assert "Choose between 1 and 52 weeks." in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(SupervisionPolicy)).one().every_weeks == 4
        assert db.session.scalars(select(EscalationQuestion)).one().text.startswith("Where is")


def test_supervisors_cannot_change_settings(client, signed_in, world):
    signed_in(world.supervisor)
    assert client.get("/supervision/settings").status_code == 403


def test_due_and_overdue_follow_the_services_frequency(app, client, signed_in, world):
    with app.app_context():
        db.session.add(SupervisionPolicy(service_id=world.willow.id, every_weeks=4))
        db.session.add(
            Supervision(
                service_id=world.willow.id,
                supervisor_id=world.supervisor.id,
                supervisee_id=world.staff.id,
                held_on=TODAY - timedelta(weeks=5),
                discussion={"support": "x"},
            )
        )
        db.session.commit()
    signed_in(world.manager)
    page = client.get("/supervision").get_data(as_text=True)
    assert "due every 4 weeks" in page
    due = page[page.index("Who is due") :]
    staff_card = due[due.index(world.staff.name) :]
    assert "Overdue" in staff_card[:300]
    assert "No supervision yet" in page  # the supervisor has never had one
    assert world.riverside_staff.name not in page


def test_supervisee_reads_and_acknowledges_and_others_cannot(app, client, signed_in, world):
    signed_in(world.supervisor)
    response = post_form(client, _url(world), _form(world, []), page_url=_url(world))
    record_url = response.headers["Location"]
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert "Supervision on" in client.get("/").get_data(as_text=True)
    response = post_form(
        client, f"{record_url}/acknowledge", {"comment": "Agreed, thanks."}, page_url=record_url
    )
    assert response.status_code == 302
    page = client.get(record_url).get_data(as_text=True)
    assert "Read and acknowledged on" in page and "Agreed, thanks." in page
    post_form(client, "/logout", {})
    signed_in(world.riverside_manager)
    assert client.get(record_url).status_code == 404
    post_form(client, "/logout", {})
    signed_in(world.riverside_staff)
    assert client.get(record_url).status_code == 404


def test_supervisor_cannot_supervise_someone_outside_their_service_or_above_them(
    client, signed_in, world
):
    signed_in(world.supervisor)
    assert (
        client.get(f"/supervision/new?supervisee_id={world.riverside_staff.id}").status_code == 404
    )
    assert client.get(f"/supervision/new?supervisee_id={world.manager.id}").status_code == 403
    signed_in_staff = client.get("/supervision")
    assert signed_in_staff.status_code == 200
