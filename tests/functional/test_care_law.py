"""The care law the app follows, as a registered manager meets it: safety first on the report
form, restraint rules that fire from the form, CQC notifications (several per event, abuse
and police never optional), deaths with LeDeR, and the NHS England just culture guide whole.
Sources for each rule: docs/sources.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Report, ReportStatus
from tests.conftest import post_form

RESTRAINT = {
    "description": "Held her arms on the floor in the lounge",
    "kind": "incident",
    "category": "restrictive_practice",
    "physical_harm": "none",
}


def _report(client, **answers):
    return post_form(client, "/report", answers, page_url="/report")


def _alerts(app, user) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(Notification.message).where(Notification.user_id == user.id))
        )


def _report_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(Report.id).order_by(Report.created_at.desc())).first()


def _switch(client, signed_in, user):
    """Sign out whoever is signed in, then sign `user` in."""
    post_form(client, "/logout", {})
    signed_in(user)


def _yesterday() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).date().isoformat()


# ---- safety first ---------------------------------------------------------------------


def test_the_report_form_says_call_999_before_anonymity_and_the_offline_outbox(
    client, signed_in, world
):
    signed_in(world.staff)
    page = client.get("/report").text
    danger = page.index("If someone is in danger now")
    assert "Call 999, or tell the person in charge now." in page
    assert danger < page.index('data-outbox="') and danger < page.index('name="anonymous"')


def test_the_thanks_page_says_call_999_now_and_never_today(client, signed_in, world):
    signed_in(world.staff)
    response = _report(
        client,
        description="He said a visitor took money from his wallet",
        kind="incident",
        category="safeguarding",
        physical_harm="none",
        follow_up_escalated="no",
    )
    thanks = client.get(response.location).text
    assert thanks.index("If someone is in danger now") < thanks.index("Thank you for telling us")
    assert "Call 999, or tell the person in charge now." in thanks
    assert "at risk now" not in thanks and "today" not in thanks


# ---- rules that fire from the report form -----------------------------------------------


def test_the_police_question_is_asked_for_every_kind_of_event(client, signed_in, world):
    signed_in(world.staff)
    for category in ("falls", "medication", "behaviour", "other"):
        part = client.get(f"/report/follow-up?category={category}").text
        assert "Were the police called or told about it?" in part


def test_police_involvement_from_the_form_prompts_the_cqc_notification(
    app, client, signed_in, world
):
    signed_in(world.staff)
    response = _report(
        client,
        description="A visitor hit another visitor in the car park",
        kind="incident",
        category="other",
        physical_harm="low",
        follow_up_police_involved="yes",
    )
    assert response.status_code == 302
    (alert,) = _alerts(app, world.manager)
    assert "The police are involved: notify CQC (Regulation 18(2)(f))" in alert


def test_a_restraint_not_in_the_plan_from_the_form_alerts_the_manager(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(client, **RESTRAINT, follow_up_in_plan="no")
    (alert,) = _alerts(app, world.manager)
    assert "not in the person's plan" in alert


def test_prone_restraint_from_the_form_alerts_and_carries_into_the_record(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(
        client,
        **RESTRAINT,
        follow_up_restriction_type="physical_restraint",
        follow_up_position="prone",
        follow_up_in_plan="yes",
    )
    (alert,) = _alerts(app, world.manager)
    assert "Prone (face-down) restraint" in alert
    _switch(client, signed_in, world.manager)
    page = client.get(f"/safeguarding/restrictions/new?report_id={_report_id(app)}").text
    assert re.search(r'<option selected value="prone">|<option value="prone" selected', page)


def test_seclusion_in_the_plan_is_still_flagged(app, client, signed_in, world):
    signed_in(world.staff)
    _report(client, **RESTRAINT, follow_up_restriction_type="seclusion", follow_up_in_plan="yes")
    (alert,) = _alerts(app, world.manager)
    assert "very likely an unlawful deprivation of liberty" in alert


def test_moderate_harm_prompts_a_check_for_a_serious_injury_notification(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(
        client,
        description="Found on the floor; the hospital found a broken wrist",
        kind="incident",
        category="falls",
        physical_harm="moderate",
    )
    (alert,) = _alerts(app, world.manager)
    assert "Check whether CQC must be told of a serious injury, such as a fracture" in alert
    _switch(client, signed_in, world.manager)
    page = client.get(f"/reports/{_report_id(app)}").text
    assert "Check:</strong> Serious injury, such as a fracture (Regulation 18(2)(a)-(b))" in page


def test_a_restriction_on_someone_with_capacity_asks_whether_they_agreed(
    app, client, signed_in, world
):
    signed_in(world.supervisor)
    answers = {
        "person_reference": "WH-9",
        "restraint_type": "mechanical",
        "position": "",
        "consented": "",
        "what_happened": "Lap belt on the wheelchair",
        "started_at": "2026-11-20T14:00",
        "duration_minutes": "30",
        "in_plan": "yes",
        "capacity": "has_capacity",
        "best_interests_id": "0",
    }
    url = "/safeguarding/restrictions/new"
    page = post_form(client, url, answers, page_url=url).text
    assert "Say whether the person, who has capacity, agreed to it." in page
    response = post_form(client, url, {**answers, "consented": "no"}, page_url=url)
    assert response.status_code == 302
    shown = client.get(response.location).text
    assert "has capacity for this decision and did not consent" in shown


# ---- CQC notifications in the review ------------------------------------------------------


def _review(client, report_id, **answers):
    return post_form(
        client,
        f"/reports/{report_id}/review",
        {"status": "under_review", **answers},
        page_url=f"/reports/{report_id}",
    )


def test_an_abuse_allegation_cannot_be_closed_until_cqc_is_told_with_the_date(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(
        client,
        description="Another resident pushed her in the corridor",
        kind="incident",
        category="safeguarding",
        physical_harm="low",
    )
    report_id = _report_id(app)
    _switch(client, signed_in, world.manager)
    page = client.get(f"/reports/{report_id}").text
    assert "Required:</strong> Abuse or an allegation of abuse (Regulation 18(2)(e))" in page
    refused = _review(client, report_id, status="closed")
    assert refused.status_code == 422
    assert "Before closing: Abuse or an allegation of abuse" in refused.text
    sent = _yesterday()
    assert _review(client, report_id, status="closed", cqc_abuse_sent_on=sent).status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.cqc_notifications == {"abuse": sent}
        assert report.status.value == "closed"


def test_a_death_needs_regulation_16_and_leder_for_an_autistic_person(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(
        client,
        description="Choked at lunch and died in hospital",
        kind="incident",
        category="nutrition",
        physical_harm="fatal",
    )
    report_id = _report_id(app)
    _switch(client, signed_in, world.manager)
    refused = _review(client, report_id, status="closed", learning_disability_or_autism="yes")
    assert refused.status_code == 422
    assert "Before closing: A death (Regulation 16)" in refused.text
    assert "Before closing: LeDeR" in refused.text
    sent = _yesterday()
    done = _review(
        client,
        report_id,
        status="closed",
        learning_disability_or_autism="yes",
        cqc_death_sent_on=sent,
        cqc_leder_sent_on=sent,
        cqc_court_of_protection="y",
    )
    assert done.status_code == 302
    with app.app_context():
        notifications = db.session.get(Report, report_id).cqc_notifications
    assert notifications == {"death": sent, "leder": sent, "court_of_protection": None}


def test_a_notification_date_cannot_be_in_the_future(app, client, signed_in, world):
    signed_in(world.staff)
    _report(client, description="Lost keys", kind="near_miss", category="other")
    _switch(client, signed_in, world.manager)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    response = _review(client, _report_id(app), cqc_police_sent_on=tomorrow)
    assert response.status_code == 422 and "This cannot be in the future." in response.text


# ---- just culture -----------------------------------------------------------------------


def test_no_just_culture_outcome_is_preselected_and_every_test_is_asked(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(
        client, description="Wrong tablets nearly given", kind="near_miss", category="medication"
    )
    _switch(client, signed_in, world.manager)
    page = client.get(f"/reports/{_report_id(app)}").text
    assert not re.search(r'name="just_culture_outcome"[^>]*checked', page)
    for words in (
        "Deliberate harm test",
        "substance misuse",
        "Foresight test",
        "Substitution test",
        "Mitigating circumstances",
        "DBS barring referral",
        "positions of trust",
    ):
        assert words in page


def test_deliberate_harm_leaves_the_learning_route(app, client, signed_in, world):
    signed_in(world.staff)
    _report(
        client,
        description="Saw a carer slap a resident",
        kind="incident",
        category="safeguarding",
        physical_harm="low",
    )
    report_id = _report_id(app)
    _switch(client, signed_in, world.manager)
    refused = _review(client, report_id, jc_deliberate_harm="yes", just_culture_outcome="system")
    assert refused.status_code == 422
    assert "follow that route" in refused.text
    sent = _yesterday()
    saved = _review(
        client,
        report_id,
        jc_deliberate_harm="yes",
        just_culture_outcome="deliberate_harm",
        jc_route_safeguarding_on=sent,
        jc_route_police_on=sent,
        jc_route_dbs_on=sent,
    )
    assert saved.status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.just_culture_outcome == "deliberate_harm"
        assert report.just_culture_route == {"safeguarding": sent, "police": sent, "dbs": sent}
        assert report.just_culture_answers == {"deliberate_harm": "yes"}


def test_the_review_warns_before_a_debrief_on_a_safeguarding_matter(app, client, signed_in, world):
    signed_in(world.staff)
    _report(
        client,
        description="Bruises on her arms",
        kind="incident",
        category="safeguarding",
        physical_harm="low",
    )
    safeguarding_id = _report_id(app)
    _report(
        client,
        description="Slipped on a wet floor",
        kind="incident",
        category="falls",
        physical_harm="low",
    )
    falls_id = _report_id(app)
    _switch(client, signed_in, world.manager)
    assert (
        "This is a safeguarding or police matter" in client.get(f"/reports/{safeguarding_id}").text
    )
    assert "This is a safeguarding or police matter" not in client.get(f"/reports/{falls_id}").text


def test_a_concern_shows_cqc_is_required_and_its_outcome_waits_for_the_notification(
    app, client, signed_in, world
):
    from app.models import ConcernType, SafeguardingConcern

    with app.app_context():
        concern = SafeguardingConcern(
            service_id=world.willow.id,
            person_reference="WH-9",
            concern_type=ConcernType.NEGLECT,
            what_happened="Left in a wet bed all night",
            raised_at=datetime.now(UTC) - timedelta(hours=3),
        )
        db.session.add(concern)
        db.session.commit()
        url = f"/safeguarding/concerns/{concern.id}"
    signed_in(world.manager)
    page = client.get(url).text
    assert "CQC not told yet:" in page and "Regulation 18(2)(e)" in page
    assert "CQC not told yet:" in client.get("/safeguarding/concerns").text
    assert "Leave empty if not yet, or not needed" not in page
    answers = {
        "escalated_at": "",
        "escalated_to": "",
        "la_reference": "",
        "outcome": "No further action",
    }
    refused = post_form(client, url, {**answers, "cqc_notified_at": ""}, page_url=url)
    assert "Enter when the notification was sent." in refused.text
    sent = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("Europe/London"))
    done = post_form(
        client, url, {**answers, "cqc_notified_at": sent.strftime("%Y-%m-%dT%H:%M")}, page_url=url
    )
    assert done.status_code == 302
    assert "CQC not told yet:" not in client.get(url).text


def test_a_debrief_or_bulletin_on_a_police_matter_warns_first(app, client, signed_in, world):
    signed_in(world.staff)
    _report(
        client,
        description="Money taken from a resident's room; the police came",
        kind="incident",
        category="other",
        physical_harm="none",
        follow_up_police_involved="yes",
    )
    report_id = _report_id(app)
    with app.app_context():
        db.session.get(Report, report_id).status = ReportStatus.LEARNING_SHARED
        db.session.commit()
    _switch(client, signed_in, world.manager)
    warning = "This is a safeguarding or police matter"
    assert warning in client.get(f"/debriefs/new?report={report_id}").text
    assert warning in client.get(f"/library/bulletins/new?report={report_id}").text
    assert warning not in client.get("/debriefs/new").text


def test_a_fall_with_a_head_injury_on_a_blood_thinner_alerts_the_manager(
    app, client, signed_in, world
):
    signed_in(world.staff)
    part = client.get("/report/follow-up?category=falls").text
    assert "Do they take a blood thinner (anticoagulant)?" in part
    assert "Do not move someone who may have a broken bone" in part
    _report(
        client,
        description="Found on the floor by the bed with a bump on the head",
        kind="incident",
        category="falls",
        physical_harm="low",
        follow_up_head_injury="yes",
        follow_up_anticoagulant="yes",
    )
    (alert,) = _alerts(app, world.manager)
    assert "urgent medical assessment (NICE NG232)" in alert


def test_a_category_3_pressure_ulcer_prompts_the_safeguarding_protocol(
    app, client, signed_in, world
):
    signed_in(world.staff)
    _report(
        client,
        description="District nurse graded the sacral sore as category 3",
        kind="incident",
        category="pressure_care",
        physical_harm="moderate",
        follow_up_ulcer_category="3",
    )
    (alert,) = _alerts(app, world.manager)
    assert "DHSC safeguarding protocol (2018)" in alert


def test_a_controlled_drug_discrepancy_alerts_the_manager(app, client, signed_in, world):
    signed_in(world.staff)
    _report(
        client,
        description="Morphine count one ampoule short at the evening check",
        kind="near_miss",
        category="medication",
        follow_up_error_type="cd_discrepancy",
        follow_up_stage="storage",
    )
    (alert,) = _alerts(app, world.manager)
    assert "Controlled Drugs Accountable Officer" in alert


def test_a_best_interests_decision_for_one_restriction_cannot_cover_another(
    app, client, signed_in, world
):
    from datetime import date

    from app.models import (
        BestInterestsDecision,
        CapacityFinding,
        RestraintType,
        RestrictivePractice,
    )

    with app.app_context():
        decision = BestInterestsDecision(
            service_id=world.willow.id,
            person_reference="WH-9",
            decision="PRN lorazepam when distress does not ease",
            capacity_assessment="x",
            regain_capacity="x",
            person_involvement="x",
            wishes_and_values="x",
            consulted="x",
            least_restrictive_option="x",
            decided_on=date(2026, 1, 5),
            review_on=date(2027, 1, 5),
        )
        db.session.add(decision)
        db.session.flush()
        db.session.add(
            RestrictivePractice(
                service_id=world.willow.id,
                person_reference="WH-9",
                restraint_type=RestraintType.CHEMICAL,
                started_at=datetime(2026, 1, 6, 10, tzinfo=UTC),
                duration_minutes=0,
                in_plan=True,
                capacity=CapacityFinding.LACKS_CAPACITY,
                best_interests_id=decision.id,
            )
        )
        db.session.commit()
        decision_id = decision.id
    signed_in(world.manager)
    url = "/safeguarding/restrictions/new"
    page = post_form(
        client,
        url,
        {
            "person_reference": "WH-9",
            "restraint_type": "mechanical",
            "position": "",
            "what_happened": "Lap belt",
            "started_at": "2026-11-20T14:00",
            "duration_minutes": "30",
            "in_plan": "yes",
            "capacity": "lacks_capacity",
            "consented": "",
            "best_interests_id": str(decision_id),
        },
        page_url=url,
    ).text
    assert "That decision was made for chemical restraint." in page
    assert "Best-interests decisions are decision-specific" in page
