"""Care Certificate: supervisors record assessed knowledge and observed competence for each
standard; reading the articles never completes it; it is due within 12 weeks of starting."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CareCertificateAssessment, User
from tests.conftest import post_form


def _starter(app, world, weeks_ago: int = 2) -> int:
    with app.app_context():
        person = db.session.get(User, world.staff.id)
        person.started_on = date.today() - timedelta(weeks=weeks_ago)
        db.session.commit()
        return person.id


def _all_standards(day: str) -> dict:
    return {f"{part}_{n}": day for n in range(1, 17) for part in ("knowledge", "competence")}


def test_a_supervisor_records_assessments_standard_by_standard(app, client, signed_in, world):
    starter = _starter(app, world)
    signed_in(world.supervisor)
    assert "Carer Willow" in client.get("/induction/care-certificate").text
    url = f"/induction/care-certificate/{starter}"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = post_form(
        client, url, {"knowledge_10": yesterday, "competence_10": yesterday}, page_url=url
    )
    assert response.status_code == 302
    page = client.get(url).text
    assert "1 of 16 standards assessed" in page and "Last recorded by Supervisor Willow" in page
    with app.app_context():
        (record,) = db.session.scalars(select(CareCertificateAssessment)).all()
        assert record.standard == 10 and record.met and record.assessor_id == world.supervisor.id


def test_reading_alone_never_completes_the_certificate(app, client, signed_in, world):
    _starter(app, world)
    signed_in(world.staff)
    page = client.get("/induction").text
    assert "Reading prepares you, but it does not achieve the Care Certificate" in page
    assert "Care Certificate: 0 of 16 standards assessed" in page
    due = (date.today() - timedelta(weeks=2) + timedelta(weeks=12)).strftime("%-d %B %Y")
    assert f"to complete by {due}" in page


def test_past_12_weeks_and_incomplete_stands_out(app, client, signed_in, world):
    starter = _starter(app, world, weeks_ago=11)
    with app.app_context():
        db.session.get(User, starter).started_on = date.today() - timedelta(weeks=13)
        db.session.commit()
    signed_in(world.supervisor)
    assert (
        "past 12 weeks and not complete"
        in client.get(f"/induction/care-certificate/{starter}").text
    )


def test_assessment_dates_are_checked(app, client, signed_in, world):
    starter = _starter(app, world)
    signed_in(world.supervisor)
    url = f"/induction/care-certificate/{starter}"
    future = (date.today() + timedelta(days=3)).isoformat()
    before_start = (date.today() - timedelta(weeks=5)).isoformat()
    response = post_form(client, url, {"knowledge_2": "not a date"}, page_url=url)
    assert response.status_code == 422 and "Enter a date" in response.text
    response = post_form(client, url, {"knowledge_1": future}, page_url=url)
    assert response.status_code == 422 and "This cannot be in the future." in response.text
    response = post_form(client, url, {"competence_1": before_start}, page_url=url)
    assert response.status_code == 422 and "This cannot be before they started." in response.text


def test_all_sixteen_assessed_completes_it_and_nobody_assesses_themselves(
    app, client, signed_in, world
):
    starter = _starter(app, world)
    signed_in(world.supervisor)
    url = f"/induction/care-certificate/{starter}"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    post_form(client, url, _all_standards(yesterday), page_url=url)
    assert "Every standard has assessed knowledge and observed competence" in client.get(url).text
    own = f"/induction/care-certificate/{world.supervisor.id}"
    response = post_form(client, own, _all_standards(yesterday), page_url=own)
    assert response.status_code == 422


def test_staff_cannot_record_assessments(app, client, signed_in, world):
    starter = _starter(app, world)
    signed_in(world.staff)
    assert client.get("/induction/care-certificate").status_code == 403
    assert client.get(f"/induction/care-certificate/{starter}").status_code == 403
