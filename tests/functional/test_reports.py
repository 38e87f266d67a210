"""Reporting a near miss or incident, and the loop closing: triage, thanks, learning, feedback."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from app.events import report_feedback_given, report_status_changed, report_submitted
from app.extensions import db
from app.governance.rollups import rebuild as rebuild_rollups
from app.models import AuditEntry, Report, ReportStatus, User
from app.models.reports import REPORT_ID_FLOOR
from app.reports import services
from app.sync import ClientIdConflict
from tests.conftest import post_form
from tests.functional.anonymous_release import release_held

NEAR_MISS = {
    "description": "Two residents' tablets nearly mixed up",
    "kind": "near_miss",
    "category": "medication",
}


def _report(client, **answers):
    return post_form(client, "/report", {**NEAR_MISS, **answers}, page_url="/report")


def _only_report(app) -> Report:
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        db.session.expunge(report)
        return report


def _receipt_code(html: str) -> str:
    match = re.search(r'id="receipt-code">([A-Z0-9-]+)<', html)
    assert match, "no receipt code shown"
    return match.group(1)


# ---- reporting --------------------------------------------------------------------


def test_staff_reports_a_near_miss_with_only_the_required_answers(app, client, signed_in, world):
    signed_in(world.staff)
    form = client.get("/report").get_data(as_text=True)
    assert "What happened?" in form and "Did it reach the person?" in form
    response = _report(client)
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for telling us." in thanks
    assert "within 2 working days" in thanks
    report = _only_report(app)
    assert report.reporter_id == world.staff.id and report.service_id == world.willow.id
    assert report.status is ReportStatus.NEW and report.physical_harm is None
    assert report.occurred_at is not None  # "When?" defaults to now
    mine = client.get("/reports/mine").get_data(as_text=True)
    assert "Medication" in mine and "Status: Sent" in mine


def test_an_incident_needs_to_say_whether_anyone_was_hurt(app, client, signed_in, world):
    signed_in(world.staff)
    response = _report(client, kind="incident", description="Found on the floor <b>by</b> bed")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose whether anyone was hurt." in body
    assert 'id="physical_harm-error"' in body
    # Nothing typed is lost, and it is escaped on the way out.
    assert "Found on the floor &lt;b&gt;by&lt;/b&gt; bed" in body
    assert 'id="kind-incident" name="kind" value="incident" checked' in body
    assert _report(client, kind="incident", physical_harm="low").status_code == 302


def test_bad_answers_are_explained_beside_each_field_and_kept(app, client, signed_in, world):
    signed_in(world.staff)
    future = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = _report(
        client,
        description="",
        kind="",
        category="bingo",
        occurred_at=future,
        location="x" * 201,
        person_reference="AB12",
    )
    body = response.get_data(as_text=True)
    assert "Tell us what happened, in a few words." in body
    assert "Choose whether it reached the person." in body
    assert "Choose what kind of event it was." in body
    assert "The time cannot be in the future." in body
    assert "Where can be up to 200 characters. It has 201: please shorten it by 1" in body
    assert 'value="AB12"' in body
    with app.app_context():
        assert db.session.scalars(select(Report)).first() is None


def test_a_shift_bracket_can_stand_in_for_the_exact_time(app, client, signed_in, world):
    signed_in(world.staff)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert _report(client, time_bracket="night_shift", occurred_on=yesterday).status_code == 302
    report = _only_report(app)
    assert report.occurred_at is None and report.occurred_on.isoformat() == yesterday
    assert report.time_bracket.value == "night_shift"


def test_follow_up_questions_come_by_htmx_and_without_javascript(client, signed_in, world):
    signed_in(world.staff)
    partial = client.get("/report/follow-up?category=medication", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert "What kind of medication problem?" in html and "<html" not in html
    assert "Did anyone see the fall?" in client.get("/report/follow-up?category=falls").text
    # Without JavaScript: the "show questions" button posts the form back, keeping answers.
    page = _report(client, category="safeguarding", show_follow_up="1", description="Bruise")
    body = page.get_data(as_text=True)
    assert "What kind of concern?" in body and ">Bruise</textarea>" in body
    assert "Tell us what happened" not in body  # no errors on this round trip


def test_follow_up_answers_are_kept_with_the_report(app, client, signed_in, world):
    signed_in(world.staff)
    response = _report(client, follow_up_error_type="wrong_dose", follow_up_stage="administration")
    assert response.status_code == 302
    assert _only_report(app).follow_up == {"error_type": "wrong_dose", "stage": "administration"}
    bad = _report(client, follow_up_error_type="made_up")
    assert "Choose one of the answers." in bad.get_data(as_text=True)


def test_sending_the_same_form_twice_keeps_one_report(app, client, signed_in, world):
    signed_in(world.staff)
    assert _report(client, client_id="3f1c1b5e-8a4f-4c7e-9d7a-2b9d7f0e1a11").status_code == 302
    assert _report(client, client_id="3f1c1b5e-8a4f-4c7e-9d7a-2b9d7f0e1a11").status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(Report)).all()) == 1


def test_submit_report_contract_replays_and_conflicts(app, world):
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        first = services.submit_report(staff, NEAR_MISS, client_id="c1", channel="sync")
        again = services.submit_report(staff, dict(NEAR_MISS), client_id="c1", channel="sync")
        assert first.created and not again.created and again.report.id == first.report.id
        try:
            services.submit_report(staff, {**NEAR_MISS, "description": "other"}, client_id="c1")
        except ClientIdConflict:
            pass
        else:
            raise AssertionError("a changed body with the same client_id must conflict")
        try:
            services.submit_report(staff, {"kind": "near_miss"})
        except services.ReportInvalid as invalid:
            assert set(invalid.errors) == {"description", "category"}
        else:
            raise AssertionError("missing answers must be refused")


def test_signals_are_sent_after_saving(app, client, signed_in, world):
    seen = []
    handlers = [
        lambda sender, **kw: seen.append(("submitted", sender.id)),
        lambda sender, **kw: seen.append(("feedback", sender.id)),
        lambda sender, **kw: seen.append(("status", kw["status"])),
    ]
    report_submitted.connect(handlers[0])
    report_feedback_given.connect(handlers[1])
    report_status_changed.connect(handlers[2])
    try:
        signed_in(world.staff)
        _report(client)
        report_id = _only_report(app).id
        post_form(client, "/logout", {})
        signed_in(world.manager)
        post_form(client, f"/reports/{report_id}/feedback", {"learning": "We changed it."})
    finally:
        report_submitted.disconnect(handlers[0])
        report_feedback_given.disconnect(handlers[1])
        report_status_changed.disconnect(handlers[2])
    assert seen == [
        ("submitted", report_id),
        ("feedback", report_id),
        ("status", "learning_shared"),
    ]


# ---- anonymous reports --------------------------------------------------------------


def test_anonymous_report_stores_nothing_about_the_reporter(app, client, signed_in, world):
    signed_in(world.staff)
    response = _report(client, anonymous="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Thank you for telling us." in html
    code = _receipt_code(html)
    assert release_held(app) == 1
    with app.app_context():
        row = db.session.execute(select(Report.__table__)).mappings().one()
        assert row["reporter_id"] is None and row["anonymous"] is True
        assert code not in json.dumps(dict(row), default=str)
        assert row["receipt_hash"] == services.receipt_hash(code)
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "Report"))
        for entry in entries:
            assert entry.actor_id is None and entry.actor_role is None
            assert str(world.staff.id) not in entry.summary and "carer" not in entry.summary
    # It is not linked to them, even in their own list.
    assert "Medication" not in client.get("/reports/mine").get_data(as_text=True)


def test_receipt_codes_are_long_and_different_every_time():
    codes = {services.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code.replace("-", "")) == 16 for code in codes)


def test_anonymous_report_goes_round_the_loop_by_receipt_code(app, client, signed_in, world):
    signed_in(world.staff)
    code = _receipt_code(_report(client, anonymous="on").get_data(as_text=True))
    release_held(app)
    report_id = _only_report(app).id
    post_form(client, "/logout", {})
    signed_in(world.manager)
    queue = client.get("/reports").get_data(as_text=True)
    assert "Anonymous" in queue and "Carer Willow" not in queue
    post_form(
        client,
        f"/reports/{report_id}/feedback",
        {"thanks": "Thank you for speaking up.", "learning": "Pharmacy now labels each tray."},
    )
    post_form(client, "/logout", {})
    # The page checks codes without the session cookie (receipt.js), so it takes no CSRF token.
    cookieless = app.test_client(use_cookies=False)
    page = cookieless.post("/reports/receipt", data={"code": code.lower()})
    body = page.get_data(as_text=True)
    assert "Thank you for speaking up." in body and "Pharmacy now labels each tray." in body
    wrong = cookieless.post("/reports/receipt", data={"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "We could not find a report with that code." in wrong.get_data(as_text=True)


# ---- triage, review and feedback --------------------------------------------------------


def _submit(app, user, **answers):
    with app.app_context():
        reporter = db.session.get(User, user.id)
        return services.submit_report(reporter, {**NEAR_MISS, **answers}).report.id


def test_manager_thanks_the_reporter_and_shares_learning(app, client, signed_in, world):
    report_id = _submit(app, world.staff)
    signed_in(world.manager)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Carer Willow" in page and "Two residents" in page
    response = post_form(
        client,
        f"/reports/{report_id}/feedback",
        {"thanks": "Thank you, Carer.", "learning": "We now check names at the trolley."},
    )
    assert response.status_code == 302
    report = _only_report(app)
    assert report.status is ReportStatus.LEARNING_SHARED
    assert report.first_feedback_at is not None and report.seen_at is not None
    post_form(client, "/logout", {})
    signed_in(world.staff)
    home = client.get("/").get_data(as_text=True)
    assert "1 report has new thanks or learning" in home
    mine = client.get("/reports/mine").get_data(as_text=True)
    assert "Thank you, Carer." in mine and "We now check names at the trolley." in mine
    assert "New reply" in mine
    assert "new thanks or learning" not in client.get("/").get_data(as_text=True)


def test_empty_feedback_is_refused_with_a_message(app, client, signed_in, world):
    report_id = _submit(app, world.staff)
    signed_in(world.manager)
    response = post_form(client, f"/reports/{report_id}/feedback", {"thanks": "", "learning": ""})
    assert "Write a thank-you or what we learned." in response.get_data(as_text=True)


def test_manager_records_a_review_and_actions(app, client, signed_in, world):
    report_id = _submit(app, world.staff, kind="incident", physical_harm="severe")
    signed_in(world.manager)
    response = post_form(
        client,
        f"/reports/{report_id}/review",
        {
            "status": "under_review",
            "contributory_factors": ["tasks", "organisation"],
            "learning_outcome": "Interruptions during the round lead to mix-ups.",
            "debrief_needed": "yes",
            "candour_applies": "yes",
            "candour_told_on": "2026-11-20",
            "candour_apologised_on": "2026-11-20",
            "cqc_serious_injury": "y",
            "cqc_serious_injury_sent_on": "2026-11-21",
            "cqc_police": "y",
            "safeguarding_referred_on": "2026-11-19",
            "just_culture_outcome": "system",
            "just_culture_note": "Anyone would have done the same on that rota.",
        },
        page_url=f"/reports/{report_id}",
    )
    assert response.status_code == 302
    post_form(
        client,
        f"/reports/{report_id}/actions",
        {
            "description": "Red tabard during the round",
            "owner_id": str(world.supervisor.id),
            "due_on": "2026-12-01",
        },
    )
    report = _only_report(app)
    assert report.contributory_factors == ["tasks", "organisation"]
    assert report.debrief_needed is True
    assert report.cqc_notifications == {"serious_injury": "2026-11-21", "police": None}
    assert report.candour_steps == {"told": "2026-11-20", "apologised": "2026-11-20"}
    assert report.safeguarding_referred_on.isoformat() == "2026-11-19"
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Red tabard during the round" in page and "Mark as done" in page
    assert "Supervisor Willow · by 1 Dec 2026" in page
    with app.app_context():
        action_id = db.session.get(Report, report_id).actions[0].id
    post_form(client, f"/reports/{report_id}/actions/{action_id}/done", {})
    assert "Mark as done" not in client.get(f"/reports/{report_id}").get_data(as_text=True)


def test_staff_cannot_open_the_queue_or_a_review(app, client, signed_in, world):
    report_id = _submit(app, world.staff)
    signed_in(world.staff)
    assert client.get("/reports").status_code == 403
    assert client.get(f"/reports/{report_id}").status_code == 403


def test_a_manager_of_another_service_gets_404_for_a_report(app, client, signed_in, world):
    report_id = _submit(app, world.staff)
    signed_in(world.riverside_manager)
    assert client.get(f"/reports/{report_id}").status_code == 404
    assert post_form(client, f"/reports/{report_id}/feedback", {"thanks": "x"}).status_code == 404
    assert "Two residents" not in client.get("/reports").get_data(as_text=True)


def test_an_admin_of_another_organisation_gets_404(app, client, signed_in, world):
    report_id = _submit(app, world.staff)
    signed_in(world.faraway_admin)
    assert client.get(f"/reports/{report_id}").status_code == 404


def test_a_staff_member_cannot_open_someone_elses_thank_you_page(app, client, signed_in, world):
    report_id = _submit(app, world.manager)
    signed_in(world.staff)
    assert client.get(f"/report/thanks/{report_id}").status_code == 404


def test_repeats_are_marked_for_the_same_person_and_category(app, client, signed_in, world):
    first = _submit(app, world.staff, person_reference="wh-12")
    second = _submit(app, world.staff, person_reference="WH-12")
    other_kind = _submit(app, world.staff, person_reference="WH-12", category="falls")
    with app.app_context():
        assert db.session.get(Report, second).repeat_of_id == first
        assert not db.session.get(Report, other_kind).is_repeat
        # Outside the window it is not a repeat.
        db.session.get(Report, first).created_at = datetime.now(UTC) - timedelta(days=31)
        db.session.get(Report, second).created_at = datetime.now(UTC) - timedelta(days=31)
        db.session.commit()
    late = _submit(app, world.staff, person_reference="WH-12")
    with app.app_context():
        assert not db.session.get(Report, late).is_repeat
    app.config["REPORT_REPEAT_DAYS"] = 60
    try:
        assert _submit_is_repeat(app, world)
    finally:
        app.config.pop("REPORT_REPEAT_DAYS")
    signed_in(world.manager)
    assert "Repeat" in client.get("/reports").get_data(as_text=True)


def _submit_is_repeat(app, world) -> bool:
    report_id = _submit(app, world.staff, person_reference="WH-99")
    with app.app_context():
        db.session.get(Report, report_id).created_at = datetime.now(UTC) - timedelta(days=45)
        db.session.commit()
    newer = _submit(app, world.staff, person_reference="WH-99")
    with app.app_context():
        return db.session.get(Report, newer).is_repeat


def test_queue_filters_and_paginates(app, client, signed_in, world):
    for n in range(30):
        _submit(app, world.staff, description=f"Report number {n}")
    _submit(
        app,
        world.staff,
        kind="incident",
        physical_harm="moderate",
        category="falls",
        description="A fall in the garden",
    )
    signed_in(world.manager)
    first = client.get("/reports").get_data(as_text=True)
    assert "31 reports" in first and "A fall in the garden" in first and "Next page" in first
    second = client.get("/reports?page=2").get_data(as_text=True)
    assert "Report number 0" in second and "A fall in the garden" not in second
    falls = client.get("/reports?category=falls&harm=moderate").get_data(as_text=True)
    assert "1 report" in falls and "Report number" not in falls
    assert "0 reports" in client.get("/reports?status=closed").get_data(as_text=True)


def test_queue_of_ten_thousand_reports_takes_a_fixed_number_of_queries(
    app, client, signed_in, world, count_queries
):
    signed_in(world.manager)
    _submit(app, world.staff)
    with count_queries() as small:
        assert client.get("/reports").status_code == 200
    now = datetime.now(UTC)
    rows = [
        {
            "id": REPORT_ID_FLOOR + n,  # bulk rows bring their own numbers (see governance_data)
            "service_id": world.willow.id,
            "reporter_id": world.staff.id if n % 3 else None,
            "anonymous": n % 3 == 0,
            "kind": "near_miss",
            "category": "falls",
            "description": f"Bulk report {n}",
            "time_bracket": "exact",
            "occurred_on": now.date(),
            "status": "new",
            "is_repeat": n % 7 == 0,
            "created_at": now - timedelta(minutes=n),
            "follow_up": {},
            "contributory_factors": [],
            "candour_steps": {},
        }
        for n in range(10_000)
    ]
    with app.app_context():
        db.session.execute(insert(Report), rows)
        rebuild_rollups([world.willow.id])  # a bulk insert counts its own rollups
        db.session.commit()
    with count_queries() as big:
        page = client.get("/reports?page=3")
    assert page.status_code == 200
    assert "10001 reports" in page.get_data(as_text=True)
    assert big.count == small.count, big.statements


def test_home_page_shows_managers_what_is_waiting(app, client, signed_in, world):
    _submit(app, world.staff)
    signed_in(world.manager)
    home = client.get("/").get_data(as_text=True)
    assert "1 new report to look at" in home
    assert "1 report is waiting for thanks or learning" in home


def test_time_to_first_feedback_is_stored(app, world):
    report_id = _submit(app, world.staff)
    with app.app_context():
        report = db.session.get(Report, report_id)
        report.created_at = datetime.now(UTC) - timedelta(hours=5)
        db.session.commit()
        services.give_feedback(report, thanks="Thank you", learning=None)
        assert timedelta(hours=4) < services.time_to_first_feedback(report) < timedelta(hours=6)
        assert report.status is ReportStatus.UNDER_REVIEW


def test_feedback_over_its_limit_is_refused_whole_never_cut_short(app, world):
    """A manager's learning over 5,000 characters is refused with the figures; nothing is
    saved, so the reporter never reads a message cut off mid-sentence."""
    report_id = _submit(app, world.staff)
    with app.app_context():
        report = db.session.get(Report, report_id)
        with pytest.raises(services.ReportInvalid) as refused:
            services.give_feedback(report, thanks="Thank you", learning="x" * 5003)
        assert "shorten it by 3" in refused.value.errors["learning"][0]
        db.session.rollback()
        report = db.session.get(Report, report_id)
        assert report.learning_message is None and report.thanks_message is None


def test_the_form_asks_in_the_order_staff_expect(client, signed_in, world):
    signed_in(world.staff)
    page = client.get("/report").get_data(as_text=True)
    order = [
        "What happened?",
        "Did it reach the person?",
        "was anyone hurt?",  # straight after "It reached someone" (issue 25)
        "What kind of event?",
        "When?",
        "More details (optional)",
        "Report without my name",
        "Send report",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert 'name="description"' in page and "autofocus" in page


def test_a_day_in_the_future_is_refused(client, signed_in, world):
    signed_in(world.staff)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    response = _report(client, time_bracket="day_shift", occurred_on=tomorrow)
    assert "The day cannot be in the future." in response.get_data(as_text=True)


def test_anonymous_feedback_never_names_the_reporter_to_the_manager(app, client, signed_in, world):
    signed_in(world.staff)
    _report(client, anonymous="y")
    release_held(app)
    report_id = _only_report(app).id
    post_form(client, "/logout", {})
    signed_in(world.manager)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "sent by Anonymous" in page and "Save review" in page
    assert "sent by Carer Willow" not in page  # (they may still be listed to own an action)
    response = post_form(client, f"/reports/{report_id}/feedback", {"thanks": "Thank you"})
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sent. The reporter will see it" in after and "Sent. Carer" not in after


def test_changed_answers_on_a_sent_draft_are_kept_not_lost(app, client, signed_in, world):
    signed_in(world.staff)
    draft = "0b6b3a57-6f1e-4f0e-8a43-5d4d2b1c9e10"
    assert _report(client, client_id=draft).status_code == 302
    again = _report(client, client_id=draft, description="Something else happened")
    body = again.get_data(as_text=True)
    assert again.status_code == 200 and ">Something else happened</textarea>" in body
    assert "already sent" in body and draft not in body


def test_a_concurrent_duplicate_of_a_draft_returns_the_stored_report(app, world, monkeypatch):
    with app.app_context():
        staff = db.session.get(User, world.staff.id)
        first = services.submit_report(staff, NEAR_MISS, client_id="race-1")
        real_lookup = services._stored_for
        calls = []

        def missed_the_first_time(client_id):
            calls.append(client_id)
            return None if len(calls) == 1 else real_lookup(client_id)

        monkeypatch.setattr(services, "_stored_for", missed_the_first_time)
        second = services.submit_report(staff, dict(NEAR_MISS), client_id="race-1")
        assert not second.created and second.report.id == first.report.id
        assert len(db.session.scalars(select(Report)).all()) == 1


def test_receipt_guessing_is_slowed_down(client, world):
    for _ in range(30):
        client.post("/reports/receipt", data={"code": "AAAA"})
    blocked = client.post("/reports/receipt", data={"code": "AAAA"})
    assert blocked.status_code == 429


def test_my_reports_takes_a_fixed_number_of_queries(app, client, signed_in, world, count_queries):
    _submit(app, world.staff)
    signed_in(world.staff)
    with count_queries() as one:
        client.get("/reports/mine")
    for n in range(20):
        _submit(app, world.staff, description=f"Another one {n}")
    with count_queries() as many:
        assert "Another one 19" in client.get("/reports/mine").get_data(as_text=True)
    assert many.count == one.count


def test_a_safeguarding_concern_not_yet_passed_on_gets_a_prompt(client, signed_in, world):
    signed_in(world.staff)
    response = _report(client, category="safeguarding", follow_up_escalated="no")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tell the person in charge or your safeguarding lead about this concern" in thanks
    assert "today" not in thanks
    passed_on = _report(client, category="safeguarding", follow_up_escalated="yes")
    assert "about this concern" not in client.get(passed_on.headers["Location"]).text
