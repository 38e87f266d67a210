"""The dashboard's learning figures (debriefs, restrictive practices, safeguarding escalations,
supervision, medication competency, induction, unsafe workarounds), each checked against the
half year in tests/functional/learning_data.py counted by hand, and scoped to the right services."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.governance.figures import Scope, figures_for
from app.models import ChecklistTemplate, User
from app.models.base import add_months
from app.supervision.observations import competency_grid, earliest_in_date
from tests.functional.learning_data import build_learning_half_year

RANGE = "start=2026-01&end=2026-06"


@pytest.fixture
def half_year(app, world):
    with app.app_context():
        build_learning_half_year(world)
    return Scope((world.willow.id,), date(2026, 1, 1), date(2026, 6, 1))


def _figures(app, scope):
    with app.app_context():
        return {f.key: f for f in figures_for(scope)}


def test_debriefs_held_and_leaders_at_serious_ones(app, half_year):
    fig = _figures(app, half_year)["debriefs"]
    held, serious, led = (s.values for s in fig.series)
    assert held == [2, 0, 1, 0, 0, 1]
    assert serious == [1, 0, 1, 0, 0, 0]
    assert led == [1, 0, 0, 0, 0, 0]
    assert fig.headline == "50%"
    assert fig.reading == (
        "Debriefs down 67% (3 then 1). A leader attended 1 of 2 debriefs about moderate harm "
        "or worse (50%)."
    )


def test_restrictive_practices_by_type_and_share_unplanned(app, half_year):
    fig = _figures(app, half_year)["restrictive_practice"]
    by_type = {s.name: s.values for s in fig.series}
    # Physical is commonest (3); of the types used once, chemical and environmental come first
    # alphabetically; informal (March) and mechanical (May) are "Other types".
    assert by_type == {
        "Physical restraint": [2, 0, 0, 0, 0, 1],
        "Chemical restraint": [0, 1, 0, 0, 0, 0],
        "Environmental restriction": [0, 0, 0, 1, 0, 0],
        "Other types": [0, 0, 1, 0, 1, 0],
    }
    assert fig.headline == "29%"  # 2 of 7
    assert fig.reading == (
        "Restrictive practices down 25% (4 then 3). 2 of 7 were unplanned (29%). "
        "Unplanned share 50% in the first 3 months, 0% in the last 3."
    )


def test_escalations_each_month_and_median_time(app, half_year):
    fig = _figures(app, half_year)["escalations"]
    raised, escalated = (s.values for s in fig.series)
    assert raised == [1, 1, 0, 1, 0, 1]
    assert escalated == [1, 1, 0, 1, 0, 0]
    # Escalated after 2, 30 and 6 hours: the median is 6.
    assert fig.headline == "6 hours"
    assert fig.reading == (
        "3 of 4 concerns raised in this period were escalated, 2 within 24 hours. Median time "
        "to escalate: 6 hours. 1 not escalated after 24 hours. Escalations down 50% (2 then 1)."
    )


def test_supervision_in_date_follows_each_services_interval(app, half_year):
    fig = _figures(app, half_year)["supervision"]
    assert fig.series[0].values == [1, 1, 0, 1, 0, 0]
    # Six care workers and supervisors; only the care worker (Apr 25, within 10 weeks of
    # 30 June) is in date. With the default 8 weeks nobody would be.
    assert fig.headline == "17%"
    assert fig.reading.startswith(
        "1 of 6 care workers and supervisors had supervision in date on 30 June 2026 (17%)."
    )


def test_medication_competency_in_date(app, half_year):
    fig = _figures(app, half_year)["medication_competency"]
    assert fig.series[0].values == [0, 0, 0, 1, 1, 1]
    # In date: the care worker (observed on version 1) and May's starter (competent in June).
    assert fig.headline == "33%"
    assert fig.reading.startswith(
        "2 of 6 care workers and supervisors were assessed competent to give medicines, in "
        "date, on 30 June 2026 (33%)."
    )


def test_medication_competency_agrees_with_the_competency_grid(app, world, half_year):
    """The SQL figure and the supervision area's own rules give the same answer."""
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        statuses = [
            s
            for s in competency_grid(manager, today=date(2026, 6, 30))
            if s.template.recheck_after_medication_report
            and s.staff.role.value in ("staff", "supervisor")
        ]
        in_date = [s for s in statuses if s.key in ("in_date", "due_soon")]
        assert (len(in_date), len(statuses)) == (2, 6)
        assert db.session.query(ChecklistTemplate).count() == 3


@pytest.mark.parametrize(
    "as_of, months", [(date(2026, 3, 30), 1), (date(2025, 2, 28), 12), (date(2026, 6, 30), 12)]
)
def test_earliest_in_date_is_the_exact_renewal_boundary(as_of, months):
    day = earliest_in_date(as_of, months)
    assert add_months(day, months) >= as_of
    assert add_months(date.fromordinal(day.toordinal() - 1), months) < as_of


def test_induction_completion_by_start_month(app, half_year):
    fig = _figures(app, half_year)["induction"]
    started, finished = (s.values for s in fig.series)
    assert started == [0, 0, 1, 0, 1, 1]
    assert finished == [0, 0, 1, 0, 0, 0]  # May's starter read an earlier version of step 2
    assert fig.headline == "33%"
    assert fig.reading.startswith(
        "1 of 3 people who started in this period have finished their induction reading (33%)"
    )


def test_unsafe_workarounds_raised_and_resolved(app, half_year):
    fig = _figures(app, half_year)["workarounds"]
    raised, resolved = (s.values for s in fig.series)
    assert raised == [1, 1, 0, 0, 1, 1]
    assert resolved == [0, 1, 0, 0, 1, 0]
    assert fig.headline == "2"
    assert fig.reading == (
        "4 raised and 2 resolved in this period; 2 of those raised still open. "
        "Workarounds raised steady (2 then 2)."
    )


def test_new_figures_name_a_quality_statement_and_an_evidence_category(app, half_year):
    figures = _figures(app, half_year)
    assert figures["restrictive_practice"].quality_statement == "Safeguarding"
    assert figures["escalations"].quality_statement == "Safeguarding"
    assert figures["supervision"].quality_statement == "Safe and effective staffing"
    assert figures["medication_competency"].evidence_category == "Observation"
    assert figures["workarounds"].quality_statement == "Learning, improvement and innovation"


def test_manager_sees_only_their_service_in_the_new_figures(client, signed_in, world, half_year):
    signed_in(world.manager)
    body = client.get(f"/dashboard?{RANGE}&service={world.riverside.id}").get_data(as_text=True)
    # Riverside's serious debrief with a leader, its restriction and concern never count here.
    assert "A leader attended 1 of 2 debriefs" in body
    assert "2 of 7 were unplanned" in body
    assert "3 of 4 concerns raised" in body


def test_admin_sees_their_organisation_or_one_service(client, signed_in, world, half_year):
    signed_in(world.admin)
    everything = client.get(f"/dashboard?{RANGE}&service=all").get_data(as_text=True)
    assert "A leader attended 2 of 3 debriefs" in everything
    assert "3 of 8 were unplanned" in everything
    assert "5 raised and 2 resolved" in everything
    riverside = client.get(f"/dashboard?{RANGE}&service={world.riverside.id}").get_data(
        as_text=True
    )
    assert "A leader attended 1 of 1 debriefs" in riverside
    assert "Median time to escalate: 100 hours." in riverside
    assert "No medication competency checklist is set up yet." in riverside


def test_another_organisations_admin_sees_none_of_it(client, signed_in, world, half_year):
    signed_in(world.faraway_admin)
    body = client.get(f"/dashboard?{RANGE}&service=all").get_data(as_text=True)
    assert "No debriefs about moderate harm or worse in this period." in body
    assert "No safeguarding concerns raised in this period." in body


def test_the_lead_line_names_the_months(client, signed_in, world):
    signed_in(world.manager)
    body = client.get("/dashboard?start=2025-12&end=2026-11").get_data(as_text=True)
    assert "December 2025 to November 2026" in body
