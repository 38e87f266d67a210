"""The leadership dashboard: figures checked against data counted by hand, scoping, filters,
htmx panel swaps and a fixed number of queries however many reports there are."""

from __future__ import annotations

import os
from datetime import date

import pytest

from app.extensions import db
from app.governance.figures import Scope, figures_for
from app.models import Action, Category, PhysicalHarm, Service, ServiceKind
from tests.functional.governance_data import (
    add_many_reports,
    add_reports,
    feedback,
    incident,
    report_row,
    when,
)
from tests.functional.learning_data import add_many_learning_records, build_learning_half_year

N_REPORTS = int(os.environ.get("DASHBOARD_TEST_REPORTS", "100000"))


@pytest.fixture
def year_of_reports(app, world):
    """Willow House, Jan to Jun 2026: reporting rises, repeats and medication incidents fall.

    Jan: 1 near miss, 2 incidents (one moderate harm, one a medication repeat).
    Feb: 2 near misses, 1 medication incident (low).
    Mar: 2 near misses.
    Apr: 3 near misses, 1 incident (low).
    May: 4 near misses.
    Jun: 4 near misses, 1 medication incident (low).
    Riverside has 5 reports in March that Willow House's manager must never see.
    """
    w, r = world.willow.id, world.riverside.id
    rows = [
        report_row(w, when(2026, 1), **feedback(when(2026, 1), 2)),
        incident(w, when(2026, 1, 11), PhysicalHarm.MODERATE, **feedback(when(2026, 1, 11), 4)),
        incident(w, when(2026, 1, 12), category=Category.MEDICATION, is_repeat=True),
        *[report_row(w, when(2026, 2, d)) for d in (1, 2)],
        incident(
            w, when(2026, 2, 3), category=Category.MEDICATION, **feedback(when(2026, 2, 3), 1)
        ),
        *[report_row(w, when(2026, 3, d), is_repeat=(d == 1)) for d in (1, 2)],
        *[report_row(w, when(2026, 4, d)) for d in (1, 2, 3)],
        incident(w, when(2026, 4, 4)),
        *[report_row(w, when(2026, 5, d), **feedback(when(2026, 5, d), 3)) for d in (1, 2, 3, 4)],
        *[report_row(w, when(2026, 6, d)) for d in (1, 2, 3, 4)],
        incident(w, when(2026, 6, 5), category=Category.MEDICATION),
        *[report_row(r, when(2026, 3, d)) for d in (1, 2, 3, 4, 5)],
    ]
    with app.app_context():
        add_reports(rows)
        db.session.add_all(
            [
                Action(
                    service_id=w,
                    description="Dry-mop rota",
                    due_on=date(2026, 2, 1),
                    created_at=when(2026, 1, 20),
                ),
                Action(
                    service_id=w,
                    description="New MAR chart",
                    due_on=date(2099, 1, 1),
                    created_at=when(2026, 2, 20),
                ),
                Action(
                    service_id=w,
                    description="Night checks",
                    due_on=date(2026, 3, 1),
                    created_at=when(2026, 2, 21),
                    done_at=when(2026, 3, 2),
                ),
            ]
        )
        db.session.commit()
    return Scope((w,), date(2026, 1, 1), date(2026, 6, 1))


def _figures(app, scope):
    with app.app_context():
        return {f.key: f for f in figures_for(scope)}


def test_reports_each_month_split_by_harm(app, year_of_reports):
    fig = _figures(app, year_of_reports)["reports"]
    near, low, serious = (s.values for s in fig.series)
    assert near == [1, 2, 2, 3, 4, 4]
    assert low == [1, 1, 0, 1, 0, 1]
    assert serious == [1, 0, 0, 0, 0, 0]
    assert fig.headline == "21"
    # First quarter 3+3+2 = 8, last quarter 4+4+5 = 13: up 62%.
    assert fig.reading.startswith("Reports up 62% (8 then 13).")
    assert "Near misses up 120% (5 then 11)." in fig.reading


def test_near_miss_share_by_month(app, year_of_reports):
    fig = _figures(app, year_of_reports)["near_miss_share"]
    assert fig.series[0].values == [33, 67, 100, 75, 100, 80]
    assert fig.headline == "76%"  # 16 of 21


def test_repeats_and_medication_incidents_fall(app, year_of_reports):
    figures = _figures(app, year_of_reports)
    assert figures["repeats"].series[0].values == [1, 0, 1, 0, 0, 0]
    assert figures["repeats"].reading.startswith("Repeat reports down 100%")
    assert figures["medication"].series[0].values == [1, 1, 0, 0, 0, 1]


def test_feedback_share_and_median_days(app, year_of_reports):
    fig = _figures(app, year_of_reports)["feedback"]
    assert fig.series[0].values == [67, 33, 0, 0, 100, 0]
    # Feedback after 2, 4, 1, 3, 3, 3, 3 days: the median is 3.
    assert "Median time to first feedback: 3.0 days." in fig.reading
    assert fig.headline == "33%"  # 7 of 21


def test_open_and_overdue_actions(app, year_of_reports):
    fig = _figures(app, year_of_reports)["actions"]
    assert fig.reading.startswith("1 done, 2 open, 1 overdue.")
    assert fig.headline == "1"


def test_manager_sees_only_their_service(client, signed_in, world, year_of_reports):
    signed_in(world.manager)
    page = client.get("/dashboard?start=2026-03&end=2026-03&service=" + str(world.riverside.id))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    # Willow's March: 2 near misses. Riverside's 5 are never counted for this manager.
    assert '<span class="headline__value">2</span>' in body


def test_admin_can_compare_all_services_or_pick_one(client, signed_in, world, year_of_reports):
    signed_in(world.admin)
    everything = client.get("/dashboard?start=2026-03&end=2026-03&service=all")
    assert '<span class="headline__value">7</span>' in everything.get_data(as_text=True)
    riverside = client.get(f"/dashboard?start=2026-03&end=2026-03&service={world.riverside.id}")
    assert '<span class="headline__value">5</span>' in riverside.get_data(as_text=True)
    elsewhere = client.get(f"/dashboard?service={world.faraway.id}")
    assert "Choose one of your services." in elsewhere.get_data(as_text=True)


def test_staff_and_supervisors_cannot_open_the_dashboard(client, signed_in, world):
    signed_in(world.supervisor)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/evidence").status_code == 403


def test_bad_months_are_explained_and_a_sensible_range_is_shown(client, signed_in, world):
    signed_in(world.manager)
    body = client.get("/dashboard?start=last+year&end=2026-01").get_data(as_text=True)
    assert "Enter the first month as year and month, like 2026-01." in body
    body = client.get("/dashboard?start=2026-05&end=2026-01").get_data(as_text=True)
    assert "The last month must be the same as or after the first month." in body


def test_htmx_filter_change_returns_only_the_panels(client, signed_in, world, year_of_reports):
    signed_in(world.manager)
    response = client.get("/dashboard?start=2026-01&end=2026-06", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="dashboard-panels"')
    assert "<html" not in body
    assert "Reports each month" in body


def test_each_chart_has_a_table_and_a_reading(client, signed_in, world, year_of_reports):
    signed_in(world.manager)
    body = client.get("/dashboard?start=2026-01&end=2026-06").get_data(as_text=True)
    assert body.count('role="img"') == body.count("Show as table") >= 6
    assert '<desc id="chart-reports-desc">Reports up 62%' in body


def test_dashboard_query_count_does_not_grow_with_reports(
    app, client, signed_in, world, count_queries
):
    """An admin looks at all 20 services of their organisation: the same number of queries
    with a handful of records as with 100,000 reports and thousands of debriefs, restrictions,
    concerns, supervisions, observations and workarounds."""
    signed_in(world.admin)
    url = "/dashboard?start=2025-01&end=2026-12&service=all"
    with app.app_context():
        more = [
            Service(
                organisation_id=world.willow.organisation_id,
                name=f"Service {n:02d}",
                kind=ServiceKind.HOME_CARE,
            )
            for n in range(3, 21)
        ]
        db.session.add_all(more)
        db.session.commit()
        service_ids = [world.willow.id, world.riverside.id, *[s.id for s in more]]
        add_reports(
            [
                report_row(
                    world.willow.id,
                    when(2026, 1 + i % 12, 1 + i % 28),
                    **feedback(when(2026, 1), 2),
                )
                for i in range(20)
            ]
        )
        build_learning_half_year(world)  # one or more of every record each figure counts
    with count_queries() as few:
        assert client.get(url).status_code == 200
    with app.app_context():
        add_many_reports(N_REPORTS, service_ids, 2025)
        add_many_learning_records(service_ids, world.manager.id, per_service=100)
    with count_queries() as many:
        body = client.get(url).get_data(as_text=True)
    assert "20 services" in body

    # Sign-in session upkeep (a once-a-minute touch) is not the dashboard's doing.
    def dashboard_queries(counter):
        return [q for q in counter.statements if "sign_in_session" not in q]

    assert len(dashboard_queries(many)) == len(dashboard_queries(few)), many.statements
