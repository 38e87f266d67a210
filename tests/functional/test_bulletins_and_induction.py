"""Learning bulletins from reports, read rates, the home page, and the induction pathway."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.library.content import load_files
from app.library.induction import all_steps
from app.library.services import bulletins_for_report
from app.models import Article, ReportStatus, User
from tests.conftest import post_form
from tests.functional.library_helpers import make_article, make_pathway, make_report

BULLETIN = {
    "title": "Learning from a teatime medicines near miss",
    "summary": "Interruptions at handover nearly caused a mix-up.",
    "what_happened": "Two people's tablets were nearly mixed up at handover.",
    "what_we_learned": "The round was interrupted by the phone.",
    "what_changes": "The teatime round starts after handover.",
}


def _publish_bulletin(client, world, report_id=None, **overrides):
    url = f"/library/bulletins/new?report={report_id}" if report_id else "/library/bulletins/new"
    data = {**BULLETIN, "service_id": str(world.willow.id), **overrides}
    return post_form(client, url, data, page_url=url)


# -- learning bulletins ----------------------------------------------------------------------


def test_manager_starts_a_bulletin_from_a_report_whose_learning_was_shared(
    app, client, signed_in, world
):
    with app.app_context():
        report_id = make_report(world)
    signed_in(world.manager)
    page = client.get(f"/library/bulletins/new?report={report_id}").get_data(as_text=True)
    assert "Learning from a medication near miss" in page
    assert "A near miss about medication." in page
    assert "Mrs Smith" not in page  # the report's own words are not copied in
    response = _publish_bulletin(client, world, report_id)
    assert response.status_code == 302
    with app.app_context():
        bulletin = db.session.scalars(select(Article).where(Article.report_id == report_id)).one()
        assert bulletin.is_bulletin and bulletin.is_published
        assert "## What we learned" in bulletin.body
        reporter = db.session.get(User, world.staff.id)
        assert [b.title for b in bulletins_for_report(reporter, report_id)] == [BULLETIN["title"]]


def test_a_bulletin_waits_until_the_report_s_learning_is_shared(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world, status=ReportStatus.NEW)
    signed_in(world.manager)
    response = client.get(f"/library/bulletins/new?report={report_id}", follow_redirects=True)
    assert "Share the learning on this report first" in response.get_data(as_text=True)


def test_bulletins_from_reports_respect_who_may_see_the_report(app, client, signed_in, world):
    with app.app_context():
        report_id = make_report(world)
    signed_in(world.riverside_manager)
    assert client.get(f"/library/bulletins/new?report={report_id}").status_code == 404
    assert _publish_bulletin(client, world, report_id).status_code == 404
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert client.get(f"/library/bulletins/new?report={report_id}").status_code == 403
    assert client.get("/library/bulletins").status_code == 403


def test_bulletin_needs_all_three_parts(client, signed_in, world):
    signed_in(world.manager)
    response = _publish_bulletin(client, world, what_changes="", what_happened="")
    body = response.get_data(as_text=True)
    assert "Say what happened, without names." in body and "Say what changes now." in body


def test_staff_see_new_bulletins_at_home_until_they_read_them(app, client, signed_in, world):
    signed_in(world.manager)
    slug = _publish_bulletin(client, world).headers["Location"].rsplit("/", 1)[-1]
    post_form(client, "/logout", {})
    signed_in(world.staff)
    home = client.get("/").get_data(as_text=True)
    assert "New learning for you" in home and BULLETIN["title"] in home
    post_form(client, f"/library/{slug}/read", {"version": "1"}, page_url=f"/library/{slug}/read")
    assert BULLETIN["title"] not in client.get("/").get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.riverside_staff)
    assert BULLETIN["title"] not in client.get("/").get_data(as_text=True)


def test_managers_see_read_rates_for_their_own_staff(app, client, signed_in, world, count_queries):
    signed_in(world.manager)
    slug = _publish_bulletin(client, world).headers["Location"].rsplit("/", 1)[-1]
    post_form(client, "/logout", {})
    signed_in(world.staff)
    post_form(client, f"/library/{slug}/read", {"version": "1"}, page_url=f"/library/{slug}/read")
    post_form(client, "/logout", {})
    signed_in(world.manager)
    with count_queries() as counted:
        page = client.get("/library/bulletins").get_data(as_text=True)
    # Willow House has four people in the test world: carer, supervisor, manager, admin.
    assert "1 of 4 staff have read this (25%)" in page
    assert counted.count <= 7, counted.statements  # incl. the header's notification count


# -- induction -------------------------------------------------------------------------------


def _new_starter(app, world, days_ago=3):
    with app.app_context():
        user = db.session.get(User, world.staff.id)
        user.started_on = date.today() - timedelta(days=days_ago)
        db.session.commit()


def test_new_starter_sees_their_reading_list_with_the_next_article_first(
    app, client, signed_in, world
):
    _new_starter(app, world)
    with app.app_context():
        make_pathway(world, world.willow, count=3)
    signed_in(world.staff)
    page = client.get("/induction").get_data(as_text=True)
    assert "0 of 3 read" in page
    assert page.index("Read next") < page.index("Induction reading 1")
    assert "1 min read" in page
    home = client.get("/").get_data(as_text=True)
    assert "Your induction reading" in home and "Next: Induction reading 1" in home


def test_acknowledging_an_induction_article_moves_progress_on(app, client, signed_in, world):
    _new_starter(app, world)
    with app.app_context():
        make_pathway(world, world.willow, count=3)
    signed_in(world.staff)
    slug = "induction-reading-1"
    response = post_form(
        client,
        f"/library/{slug}/read",
        {"version": "1"},
        page_url=f"/library/{slug}/read",
        headers={"HX-Request": "true"},
    )
    assert "Next: Induction reading 2" in response.get_data(as_text=True)
    page = client.get("/induction").get_data(as_text=True)
    assert "1 of 3 read" in page and 'aria-valuenow="1"' in page
    assert page.index("Read next") < page.index("Induction reading 2")


def test_people_past_their_induction_period_do_not_get_the_list(app, client, signed_in, world):
    _new_starter(app, world, days_ago=7 * 12 + 1)
    with app.app_context():
        make_pathway(world, world.willow, count=2)
    signed_in(world.staff)
    page = client.get("/induction").get_data(as_text=True)
    assert "The induction reading list is for people in their first 12 weeks." in page
    assert "Read next" not in page
    assert "Your induction reading" not in client.get("/").get_data(as_text=True)


def test_induction_length_is_configurable(app, client, signed_in, world, monkeypatch):
    _new_starter(app, world, days_ago=7 * 13)
    monkeypatch.setitem(app.config, "LIBRARY_INDUCTION_WEEKS", 26)
    with app.app_context():
        make_pathway(world, world.willow, count=2)
    signed_in(world.staff)
    assert "0 of 2 read" in client.get("/induction").get_data(as_text=True)


def test_managers_see_each_new_starter_s_progress_in_their_services(
    app, client, signed_in, world, count_queries
):
    _new_starter(app, world)
    with app.app_context():
        make_pathway(world, world.willow, count=3)
    signed_in(world.staff)
    post_form(
        client,
        "/library/induction-reading-1/read",
        {"version": "1"},
        page_url="/library/induction-reading-1/read",
    )
    post_form(client, "/logout", {})
    signed_in(world.manager)
    with count_queries() as counted:
        page = client.get("/induction/team").get_data(as_text=True)
    assert world.staff.name in page and "1 of 3 read" in page
    assert "next: Induction reading 2" in page
    assert counted.count <= 7, counted.statements  # incl. the header's notification count
    post_form(client, "/logout", {})
    signed_in(world.riverside_manager)
    assert world.staff.name not in client.get("/induction/team").get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.supervisor)
    assert client.get("/induction/team").status_code == 403


def test_library_import_command_is_safe_to_repeat(app, world):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["library", "import", "--organisation", "Test Care Group"])
    assert first.exit_code == 0, first.output
    articles = len(load_files())
    assert f"{articles} new" in first.output
    again = runner.invoke(args=["library", "import", "--organisation", "Test Care Group"])
    assert f"0 new, 0 updated, {articles} unchanged" in again.output
    vague = runner.invoke(args=["library", "import"])
    assert vague.exit_code != 0 and "--organisation" in vague.output


def _change(client, change, article_id, service_id):
    return post_form(
        client,
        "/induction/manage",
        {"change": change, "article": str(article_id), "service": str(service_id)},
        page_url="/induction/manage",
        follow_redirects=True,
    )


def test_manager_reorders_adds_and_removes_induction_reading(app, client, signed_in, world):
    with app.app_context():
        first, second, third = make_pathway(world, world.willow, count=3)
        extra = make_article(world, title="Our fire drill")
    signed_in(world.manager)
    page = client.get("/induction/manage").get_data(as_text=True)
    assert "3 articles</strong>, covering 3 of the 16 standards" in page
    assert "Add an article to the end" in page and "Our fire drill" in page
    moved = _change(client, "down", first, world.willow.id).get_data(as_text=True)
    assert "“Induction reading 1” moved down" in moved
    assert moved.index("Induction reading 2</a>") < moved.index("Induction reading 1</a>")
    _change(client, "add", extra.id, world.willow.id)
    _change(client, "remove", third, world.willow.id)
    with app.app_context():
        steps = [s.article_id for s in all_steps(world.willow.id)]
    assert steps == [second, first, extra.id]
    again = _change(client, "add", extra.id, world.willow.id).get_data(as_text=True)
    assert "That article is already on the list." in again


def test_pathways_are_changed_only_within_your_own_services(app, client, signed_in, world):
    with app.app_context():
        first, *_ = make_pathway(world, world.willow, count=2)
        riverside_only = make_article(world, title="Riverside keys", service=world.riverside)
    signed_in(world.manager)
    assert client.get(f"/induction/manage?service={world.riverside.id}").status_code == 404
    assert _change(client, "remove", first, world.riverside.id).status_code == 404
    assert _change(client, "add", riverside_only.id, world.willow.id).status_code == 404
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert client.get("/induction/manage").status_code == 403


def test_manager_corrects_a_bulletin_without_asking_everyone_again(app, client, signed_in, world):
    signed_in(world.manager)
    slug = _publish_bulletin(client, world).headers["Location"].rsplit("/", 1)[-1]
    edit_url = f"/library/{slug}/edit"
    assert "tablets were nearly mixed up at handover" in client.get(edit_url).get_data(as_text=True)
    fixed = {
        **BULLETIN,
        "what_happened": "Two tablets were nearly mixed up.",
        "service_id": str(world.willow.id),
    }
    response = post_form(client, edit_url, fixed, page_url=edit_url, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Bulletin corrected." in page and "Two tablets were nearly mixed up." in page
    with app.app_context():
        bulletin = db.session.scalars(select(Article).where(Article.slug == slug)).one()
        assert bulletin.version == 1
        assert "Two people" not in bulletin.versions[0].body  # the old words are not kept


def test_a_withdrawn_article_leaves_the_library_and_the_induction_list(
    app, client, signed_in, world
):
    _new_starter(app, world)
    with app.app_context():
        make_pathway(world, world.willow, count=2)
    signed_in(world.admin)
    post_form(
        client,
        "/library/induction-reading-1/withdraw",
        {},
        page_url="/library/induction-reading-1/read",
    )
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert client.get("/library/induction-reading-1").status_code == 404
    assert "0 of 1 read" in client.get("/induction").get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.manager)
    # An organisation-wide article is the admins' to withdraw.
    response = post_form(
        client,
        "/library/induction-reading-2/withdraw",
        {},
        page_url="/library/induction-reading-2/read",
    )
    assert response.status_code == 403
