"""From a report's review to a learning bulletin and a debrief; bulletins shown in "My reports"
(issues 3 and 7)."""

from __future__ import annotations

import re

from sqlalchemy import update

from app.extensions import db
from app.models import Article, Report, ReportStatus
from tests.functional.library_helpers import make_report
from tests.functional.test_bulletins_and_induction import BULLETIN, _publish_bulletin
from tests.functional.test_invitations import signed_in_client


def _set(app, report_id, **values):
    with app.app_context():
        db.session.execute(update(Report).where(Report.id == report_id).values(**values))
        db.session.commit()


def test_review_offers_a_bulletin_once_learning_is_shared_and_always_a_debrief(
    app, client, signed_in, world
):
    with app.app_context():
        report_id = make_report(world, status=ReportStatus.UNDER_REVIEW)
    signed_in(world.manager)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Publish a learning bulletin" not in page
    assert "Start a debrief" in page
    assert f'href="/debriefs/new?report={report_id}"' in page

    _set(app, report_id, status=ReportStatus.LEARNING_SHARED)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Publish a learning bulletin" in page
    assert f'href="/library/bulletins/new?report={report_id}"' in page


def test_the_debrief_link_starts_a_debrief_about_that_report(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world)
    signed_in(world.manager)
    form = client.get(f"/debriefs/new?report={report_id}").get_data(as_text=True)
    tag = re.search(rf'<input[^>]*name="report_ids"[^>]*value="{report_id}"[^>]*>', form)
    assert tag and "checked" in tag.group(0)


def test_bulletin_starts_from_the_reports_real_learning(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world)
    _set(
        app,
        report_id,
        learning_outcome="Interruptions during the round raise the risk of a mix-up.",
    )
    signed_in(world.manager)
    page = client.get(f"/library/bulletins/new?report={report_id}").get_data(as_text=True)
    assert "Interruptions during the round raise the risk of a mix-up." in page


def test_bulletin_falls_back_to_the_learning_message_sent_to_the_reporter(
    app, client, signed_in, world
):
    with app.app_context():
        report_id = make_report(world)
    _set(app, report_id, learning_message="We now start the round after handover.")
    signed_in(world.manager)
    page = client.get(f"/library/bulletins/new?report={report_id}").get_data(as_text=True)
    assert "We now start the round after handover." in page


def test_staff_see_bulletins_that_came_from_their_report(app, client, signed_in, world):
    with app.app_context():
        with_bulletin = make_report(world)
        without = make_report(world)
    manager = signed_in_client(app, world.manager)
    assert _publish_bulletin(manager, world, with_bulletin).status_code == 302
    signed_in(world.staff)
    page = client.get("/reports/mine").get_data(as_text=True)
    assert page.count("Learning bulletins from this report") == 1
    assert BULLETIN["title"] in page
    with app.app_context():
        slug = db.session.scalar(db.select(Article.slug).where(Article.report_id == with_bulletin))
    assert f'href="/library/{slug}"' in page
    assert without != with_bulletin


def test_my_reports_with_bulletins_takes_a_fixed_number_of_queries(app, world, count_queries):
    with app.app_context():
        first, *more = [make_report(world) for _ in range(11)]
    manager = signed_in_client(app, world.manager)
    assert _publish_bulletin(manager, world, first).status_code == 302
    staff = signed_in_client(app, world.staff)
    with count_queries() as few:
        staff.get("/reports/mine")
    for n, report_id in enumerate(more):
        published = _publish_bulletin(manager, world, report_id, title=f"Bulletin number {n}")
        assert published.status_code == 302
    with count_queries() as many:
        page = staff.get("/reports/mine").get_data(as_text=True)
    assert "Bulletin number 9" in page
    assert many.count == few.count


def test_phone_header_keeps_report_in_view_and_groups_the_managers_links(client, signed_in, world):
    signed_in(world.manager)
    page = client.get("/").get_data(as_text=True)
    assert '<a class="header-report" href="/report">Report</a>' in page
    menu = page.split('class="site-nav__menu"')[1].split('class="site-nav__account"')[0]
    headings = re.findall(r'class="site-nav__heading"[^>]*>([^<]+)</h2>', menu)
    assert headings == ["Capture", "Practice", "Learning", "Oversight"]
    labels = re.findall(r">([^<]+)</a>", menu)
    assert "People" in labels and "Reports to review" in labels
    assert "Report" not in labels  # already in the header row
    account = page.split('class="site-nav__account"')[1].split("</ul>")[0]
    assert ">Notifications<" in account and ">Sign out<" in account
    wide = page.split('class="site-nav__row"')[1].split('class="site-nav__menu"')[0]
    wide_links = re.findall(r">([^<]+)</a>", wide)
    assert wide_links[0] == "Home" and wide_links[-1] == "My account"
    assert sorted(wide_links) == sorted(["Home", "Report", *labels, "My account"])
