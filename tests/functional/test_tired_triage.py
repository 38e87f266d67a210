"""Triage sorts by risk and searches the report text; the manager's home page starts with what
needs action today, riskiest first; a care worker's own report has its own page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Category, PhysicalHarm, Report, ReportKind, ReportStatus, utcnow
from app.reports import services
from tests.conftest import post_form

HOURS = timedelta(hours=1)


def _report(app, world, description, *, age_hours, **fields) -> int:
    with app.app_context():
        report = Report(
            service_id=world.willow.id,
            reporter_id=world.staff.id,
            kind=fields.pop("kind", ReportKind.NEAR_MISS),
            category=fields.pop("category", Category.MEDICATION),
            description=description,
            occurred_on=(utcnow() - age_hours * HOURS).date(),
            created_at=utcnow() - age_hours * HOURS,
            follow_up=fields.pop("follow_up", {}),
            **fields,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def _risky_reports(app, world) -> None:
    _report(app, world, "Newest, nothing serious", age_hours=1)
    _report(
        app,
        world,
        "Held by both arms, not in her plan",
        age_hours=5,
        category=Category.RESTRICTIVE_PRACTICE,
        follow_up={"in_plan": "no", "restriction_type": "physical_restraint"},
    )
    _report(
        app,
        world,
        "Planned hold, as in his plan",
        age_hours=4,
        category=Category.RESTRICTIVE_PRACTICE,
        follow_up={"in_plan": "yes"},
    )
    _report(
        app,
        world,
        "Fell and broke a wrist",
        age_hours=30,
        kind=ReportKind.INCIDENT,
        category=Category.FALLS,
        physical_harm=PhysicalHarm.SEVERE,
    )
    _report(
        app, world, "Bruise on her arm, unexplained", age_hours=50, category=Category.SAFEGUARDING
    )


def _order(page: str, texts: list[str]) -> list[int]:
    return [page.index(text) for text in texts]


def test_triage_puts_the_riskiest_first_then_the_newest(app, client, signed_in, world):
    _risky_reports(app, world)
    signed_in(world.manager)
    page = client.get("/reports").get_data(as_text=True)
    places = _order(
        page,
        [
            "Fell and broke a wrist",
            "Bruise on her arm",
            "Held by both arms",
            "Newest, nothing serious",
            "Planned hold",
        ],
    )
    assert places == sorted(places)
    newest = client.get("/reports?sort=newest").get_data(as_text=True)
    places = _order(newest, ["Newest, nothing serious", "Planned hold", "Held by both arms"])
    assert places == sorted(places)
    assert client.get("/reports?sort=nonsense").status_code == 200


def test_triage_searches_the_text_with_wildcards_taken_literally(app, client, signed_in, world):
    _risky_reports(app, world)
    _report(app, world, "Only 50% of the dose was given", age_hours=2)
    _report(app, world, "Only 5 of the doses were given", age_hours=3)
    signed_in(world.manager)
    found = client.get("/reports?q=BROKE a").get_data(as_text=True)
    assert "Fell and broke a wrist" in found and "1 report" in found
    assert "Bruise" not in found
    percent = client.get("/reports?q=50%25").get_data(as_text=True)
    assert "50% of the dose" in percent and "5 of the doses" not in percent
    underscore = client.get("/reports?q=_").get_data(as_text=True)
    assert "0 reports" in underscore and "Nothing says" in underscore
    long = client.get("/reports?q=" + "x" * 5000)
    assert long.status_code == 200


def test_search_stays_inside_the_managers_service(app, client, signed_in, world):
    with app.app_context():
        db.session.add(
            Report(
                service_id=world.riverside.id,
                kind=ReportKind.NEAR_MISS,
                category=Category.FALLS,
                description="Riverside wrist report",
                occurred_on=utcnow().date(),
                follow_up={},
            )
        )
        db.session.commit()
    signed_in(world.manager)
    assert "Riverside wrist" not in client.get("/reports?q=wrist").get_data(as_text=True)


def test_manager_home_starts_with_what_needs_action_riskiest_first(app, client, signed_in, world):
    _risky_reports(app, world)
    signed_in(world.manager)
    page = client.get("/").get_data(as_text=True)
    box = page[page.index("Needs action today") :]
    assert page.index("Needs action today") < page.index("Report something")
    places = _order(
        box,
        [
            "Serious harm or safeguarding:</strong> Falls",
            "Serious harm or safeguarding:</strong> Safeguarding",
            "Unplanned restraint:</strong> Restrictive practice",
            "Waiting for a thank-you:</strong>",
        ],
    )
    assert places == sorted(places)
    assert "Planned hold" not in box[: box.index("Waiting for a thank-you")]
    with app.app_context():
        fall = db.session.scalar(select(Report).where(Report.description.like("Fell%")))
        assert f'href="/reports/{fall.id}"' in box
        fall.status = ReportStatus.CLOSED
        db.session.commit()
    assert "Fell and broke" not in client.get("/").get_data(as_text=True)


def test_care_workers_get_no_needs_action_box(client, signed_in, world):
    signed_in(world.staff)
    assert "Needs action today" not in client.get("/").get_data(as_text=True)


def test_my_report_page_is_for_its_reporter_only(app, client, signed_in, world):
    report_id = _report(app, world, "My own near miss", age_hours=2)
    signed_in(world.staff)
    page = client.get(f"/reports/mine/{report_id}").get_data(as_text=True)
    assert "My own near miss" in page and "Status: Sent" in page
    post_form(client, "/logout", {})
    signed_in(world.manager)  # a manager reviews it at /reports/<id>, not here
    assert client.get(f"/reports/mine/{report_id}").status_code == 404
    assert client.get("/reports/mine/999999").status_code == 404


def test_my_reports_are_paged_with_new_replies_first(app, client, signed_in, world):
    ids = [_report(app, world, f"Near miss number {n}", age_hours=30 - n) for n in range(25)]
    with app.app_context():
        services.give_feedback(db.session.get(Report, ids[0]), thanks="Thank you", learning=None)
    signed_in(world.staff)
    first = client.get("/reports/mine").get_data(as_text=True)
    assert first.count('class="card card--link') == 20
    assert first.index("Near miss number 0") < first.index("Near miss number 24")
    assert "page 1 of 2" in first and "Next page" in first
    second = client.get("/reports/mine?page=2").get_data(as_text=True)
    assert second.count('class="card card--link') == 5
    assert client.get("/reports/mine?page=abc").status_code == 200
    assert client.get("/reports/mine?page=99").status_code == 200
