"""The DoLS / Court of Protection register: the right route for the setting and age, expiry,
conditions, and the CQC notification of the outcome. Sources: docs/sources.md."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import LibertyAuthorisation, LibertyRoute, LibertyStatus
from tests.conftest import post_form

NEW = "/safeguarding/liberty/new"


def _days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def _answers(**overrides):
    return {
        "person_reference": "WH-9",
        "route": "dols_standard",
        "aged_18_or_over": "y",
        "applied_on": _days(-40),
        "applied_to": "Shire County Council DoLS team",
        "status": "applied",
        "outcome_on": "",
        "expires_on": "",
        "conditions": "",
        "cqc_notified_on": "",
        **overrides,
    }


def _only(app) -> LibertyAuthorisation:
    with app.app_context():
        record = db.session.scalars(select(LibertyAuthorisation)).one()
        db.session.expunge(record)
        return record


def test_a_manager_puts_a_dols_application_on_the_register(app, client, signed_in, world):
    signed_in(world.manager)
    response = post_form(client, NEW, _answers(), page_url=NEW)
    assert response.status_code == 302
    record = _only(app)
    assert record.route is LibertyRoute.DOLS_STANDARD and record.status is LibertyStatus.APPLIED
    register = client.get("/safeguarding/liberty").text
    assert "WH-9" in register and "continuous supervision <strong>and</strong> control" in register
    assert "Liberty Protection Safeguards are not in force" in register
    assert "a best-interests decision alone does not authorise it" in register


def test_dols_is_refused_in_supported_living_where_the_court_decides(app, client, signed_in, world):
    signed_in(world.riverside_manager)
    page = post_form(client, NEW, _answers(person_reference="RV-1"), page_url=NEW).text
    assert "DoLS covers care homes and hospitals only" in page
    assert "Court of Protection order" in page
    response = post_form(
        client,
        NEW,
        _answers(person_reference="RV-1", route="court_of_protection", applied_to="The council"),
        page_url=NEW,
    )
    assert response.status_code == 302
    assert _only(app).route is LibertyRoute.COURT_OF_PROTECTION


def test_dols_is_only_for_people_aged_18_or_over(app, client, signed_in, world):
    signed_in(world.manager)
    answers = _answers()
    answers.pop("aged_18_or_over")
    page = post_form(client, NEW, answers, page_url=NEW).text
    assert "DoLS is for people aged 18 or over" in page


def test_an_authorisation_needs_an_end_no_longer_than_the_law_allows(app, client, signed_in, world):
    signed_in(world.manager)
    authorised = {"status": "authorised", "outcome_on": _days(-10)}
    page = post_form(client, NEW, _answers(**authorised), page_url=NEW).text
    assert "Enter when the authorisation ends." in page
    page = post_form(client, NEW, _answers(**authorised, expires_on=_days(400)), page_url=NEW).text
    assert "lasts at most one year" in page
    page = post_form(
        client,
        NEW,
        _answers(route="dols_urgent", **authorised, expires_on=_days(20)),
        page_url=NEW,
    ).text
    assert "lasts at most 14 days" in page


def test_an_outcome_not_yet_told_to_cqc_stands_out_until_it_is(app, client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client,
        NEW,
        _answers(
            status="authorised",
            outcome_on=_days(-10),
            expires_on=_days(300),
            conditions="Weekly trips to the market with staff",
        ),
        page_url=NEW,
    )
    entry = response.location
    page = client.get(entry).text
    assert "Tell CQC the outcome without delay (Regulation 18(2)(c))" in page
    overview = client.get("/safeguarding/").text
    assert "Tell CQC the outcome without delay" in overview and "WH-9" in overview
    updated = post_form(
        client,
        entry,
        _answers(
            status="authorised",
            outcome_on=_days(-10),
            expires_on=_days(300),
            conditions="Weekly trips to the market with staff",
            cqc_notified_on=_days(-9),
        ),
        page_url=entry,
    )
    assert updated.status_code == 302
    assert "Tell CQC the outcome" not in client.get(entry).text
    assert "Nothing on the" in client.get("/safeguarding/").text
    assert _only(app).conditions == "Weekly trips to the market with staff"


def test_expiry_soon_and_expired_authorisations_are_flagged():
    today = date(2026, 6, 1)
    record = LibertyAuthorisation(
        route=LibertyRoute.DOLS_STANDARD,
        status=LibertyStatus.AUTHORISED,
        outcome_on=today - timedelta(days=300),
        expires_on=today + timedelta(days=20),
        cqc_notified_on=today - timedelta(days=299),
    )
    assert record.flags(today) == ["Expires within 28 days: apply for renewal now"]
    record.expires_on = today - timedelta(days=1)
    assert record.flags(today)[0].startswith("Expired: any deprivation of liberty now has no")
    record.route = LibertyRoute.COURT_OF_PROTECTION
    record.cqc_notified_on = None
    assert "Regulation 18(2)(d)" in record.flags(today)[0]


def test_staff_and_supervisors_cannot_open_the_register(client, signed_in, world):
    signed_in(world.supervisor)
    assert client.get("/safeguarding/liberty").status_code == 403
    assert client.get(NEW).status_code == 403
