"""The JSON API the offline outbox syncs to: nothing lost, nothing doubled."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Report
from app.seed import seed_demo
from tests.conftest import post_form, sign_in
from tests.functional.anonymous_release import release_held

NEAR_MISS = {
    "description": "Two residents' tablets were in one pot; I caught it before giving them.",
    "kind": "near_miss",
    "category": "medication",
    "time_bracket": "night_shift",
    "occurred_on": "2026-03-14",
    "location": "Lounge",
}


def csrf_header(client) -> dict:
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    return {"X-CSRFToken": token}


def send(client, body: dict, headers: dict | None = None):
    return client.post(
        "/api/v1/reports", json=body, headers=csrf_header(client) if headers is None else headers
    )


def draft(**changes) -> dict:
    return {**NEAR_MISS, "client_id": str(uuid.uuid4()), **changes}


def reports_in(app) -> list[Report]:
    with app.app_context():
        reports = list(db.session.scalars(select(Report).order_by(Report.id)))
        db.session.expunge_all()
        return reports


def test_session_says_who_is_signed_in_with_a_fresh_token(signed_in, world):
    client = signed_in(world.staff)
    body = client.get("/api/v1/session").get_json()
    assert body["user"]["id"] == world.staff.id
    assert body["user"]["service"] == "Willow House"
    assert body["csrf_token"]


def test_signed_out_gets_401_json_never_a_redirect(client, world):
    assert client.get("/api/v1/session").status_code == 401
    response = client.post("/api/v1/reports", json=draft())
    assert response.status_code == 401
    assert response.is_json
    assert "sign in" in response.get_json()["error"].lower()
    assert "Location" not in response.headers


def test_a_report_made_offline_is_stored_once_with_the_device_time(app, signed_in, world):
    client = signed_in(world.staff)
    body = draft(device_time="2026-03-14T23:40:00+00:00")
    response = send(client, body)
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()
    assert sent["client_id"] == body["client_id"]
    assert sent["device_time"].startswith("2026-03-14T23:40:00")
    [report] = reports_in(app)
    assert report.reporter_id == world.staff.id
    assert report.service_id == world.willow.id
    assert report.device_time.isoformat().startswith("2026-03-14T23:40:00")
    assert report.created_at.year >= 2026 and report.created_at != report.device_time
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.submitted")
        ).one()
        assert entry.channel == "sync"


def test_sending_the_same_draft_again_returns_the_same_report(app, signed_in, world):
    client = signed_in(world.staff)
    body = draft()
    first = send(client, body)
    again = send(client, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(reports_in(app)) == 1


def test_the_same_draft_id_with_different_answers_is_refused(app, signed_in, world):
    client = signed_in(world.staff)
    body = draft()
    assert send(client, body).status_code == 201
    changed = send(client, {**body, "description": "Something else entirely."})
    assert changed.status_code == 422
    assert len(reports_in(app)) == 1


def test_missing_answers_come_back_as_field_errors(app, signed_in, world):
    client = signed_in(world.staff)
    response = send(client, draft(description="", kind="incident"))
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert "description" in errors
    # An incident needs the harm answered: a rule across two answers (ReportBody).
    response = send(client, draft(kind="incident"))
    assert response.status_code == 400
    assert "physical_harm" in response.get_json()["errors"]
    assert reports_in(app) == []


def test_unknown_fields_are_refused(app, signed_in, world):
    client = signed_in(world.staff)
    response = send(client, draft(reporter_id=world.manager.id))
    assert response.status_code == 400
    assert "reporter_id" in response.get_json()["errors"]
    assert reports_in(app) == []


def test_the_forms_follow_up_fields_are_accepted(app, signed_in, world):
    client = signed_in(world.staff)
    response = send(client, draft(follow_up_error_type="wrong_person"))
    assert response.status_code == 201, response.get_json()
    [report] = reports_in(app)
    assert report.follow_up == {"error_type": "wrong_person"}


def test_without_the_csrf_token_it_is_forbidden(app, signed_in, world):
    client = signed_in(world.staff)
    assert send(client, draft(), headers={}).status_code == 403
    assert send(client, draft(), headers={"X-CSRFToken": "stale"}).status_code == 403
    assert reports_in(app) == []


def test_anonymous_report_keeps_no_reporter_and_gives_a_receipt_once(app, signed_in, world):
    """An older device that sends no code of its own: the server makes one, and cannot show
    it again (it keeps only the hash). Devices that send their code get it back every time
    (tests/functional/test_anonymity.py)."""
    client = signed_in(world.staff)
    body = draft(anonymous=True)
    first = send(client, body).get_json()
    again = send(client, body).get_json()
    assert first["receipt_code"] and again["receipt_code"] is None
    assert first["url"] is None
    assert release_held(app) == 1
    [report] = reports_in(app)
    assert report.reporter_id is None and report.anonymous


def test_someone_else_cannot_claim_a_draft_id(app, client, world):
    from tests.conftest import sign_in

    body = draft()
    sign_in(client, world.staff.email)
    assert send(client, body).status_code == 201
    client.post("/logout", headers=csrf_header(client))
    client.delete_cookie("session")
    sign_in(client, world.riverside_staff.email)
    assert send(client, body).status_code == 422
    assert len(reports_in(app)) == 1


def test_the_openapi_document_describes_the_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    post = document["paths"]["/reports"]["post"]
    assert set(post["responses"]) == {"200", "201", "400", "401", "403", "409", "422"}
    assert "client_id" in document["components"]["schemas"]["ReportIn"]["required"]


def test_hidden_nul_characters_are_refused_not_a_server_error(app, signed_in, world):
    client = signed_in(world.staff)
    response = send(client, draft(immediate_action="\x00moved the chair"))
    assert response.status_code == 400
    assert "immediate_action" in response.get_json()["errors"]
    assert reports_in(app) == []


def test_a_new_starter_keeps_their_induction_reading_and_new_bulletins_offline(app, client):
    """After sign-in the device is told which library pages to keep for reading without signal."""
    with app.app_context():
        seed_demo()
    sign_in(client, "newstarter@willow.demo", "learnloop-demo")
    kept = client.get("/api/v1/session").get_json()["offline_urls"]
    articles = [url for url in kept if url.startswith("/library/")]
    assert len(articles) >= 16  # the 16 Care Certificate readings, plus new bulletins
    post_form(client, "/logout", {})
    sign_in(client, "carer@willow.demo", "learnloop-demo")  # not in induction
    kept = client.get("/api/v1/session").get_json()["offline_urls"]
    assert len([url for url in kept if url.startswith("/library/")]) < 16
