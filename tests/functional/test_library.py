"""The learning library: reading, writing, versions, acknowledgements, search and scope."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.audit import verify_chain
from app.extensions import db
from app.library.services import ArticleDraft, save_article
from app.models import ArticleVersion, AuditEntry, ReadAcknowledgement, Topic
from tests.conftest import post_form
from tests.functional.library_helpers import make_article, reload


def _acknowledge(client, slug, version=None, **kwargs):
    data = {"version": str(version)} if version is not None else {}
    url = f"/library/{slug}/read"
    return post_form(client, url, data, page_url=url, **kwargs)


# -- reading and scope -----------------------------------------------------------------------


def test_staff_read_a_published_article_for_their_organisation(app, client, signed_in, world):
    with app.app_context():
        article = make_article(world, body="## Before care\n\nClean your hands **every** time.")
    signed_in(world.staff)
    listing = client.get("/library").get_data(as_text=True)
    assert "Hand hygiene basics" in listing and "1 min read" in listing
    page = client.get(f"/library/{article.slug}").get_data(as_text=True)
    assert "<h2>Before care</h2>" in page and "<strong>every</strong>" in page
    assert "15. Infection prevention and control" in page


def test_article_pages_carry_no_personal_data_so_they_can_be_cached(app, client, signed_in, world):
    with app.app_context():
        article = make_article(world)
    signed_in(world.staff)
    _acknowledge(client, article.slug, 1)
    page = client.get(f"/library/{article.slug}").get_data(as_text=True)
    assert world.staff.name not in page
    assert "You confirmed" not in page and "I have read and understood" not in page
    # The acknowledgement is loaded separately, and works as a page without JavaScript.
    assert f'hx-get="/library/{article.slug}/read"' in page
    assert f'href="/library/{article.slug}/read"' in page


def test_drafts_are_hidden_from_staff_but_shown_to_their_manager(app, client, signed_in, world):
    with app.app_context():
        draft = make_article(world, title="Draft falls guide", service=world.willow, publish=False)
    signed_in(world.staff)
    assert client.get(f"/library/{draft.slug}").status_code == 404
    assert "Draft falls guide" not in client.get("/library").get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.manager)
    assert "Draft falls guide" in client.get("/library").get_data(as_text=True)
    assert client.get(f"/library/{draft.slug}").status_code == 200


def test_a_service_article_is_not_found_by_other_services_or_organisations(
    app, client, signed_in, world
):
    with app.app_context():
        willow_only = make_article(world, title="Willow fire doors", service=world.willow)
        everyone = make_article(world, title="For every service")
    signed_in(world.riverside_staff)
    assert client.get(f"/library/{willow_only.slug}").status_code == 404
    assert client.get(f"/library/{everyone.slug}").status_code == 200
    post_form(client, "/logout", {})
    signed_in(world.faraway_admin)
    assert client.get(f"/library/{everyone.slug}").status_code == 404
    assert "For every service" not in client.get("/library").get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.riverside_manager)
    assert client.get(f"/library/{willow_only.slug}/edit").status_code == 404


# -- writing ---------------------------------------------------------------------------------


def _article_form(**overrides):
    return {
        "title": "Bed rails: check before you leave",
        "summary": "A quick check that prevents falls and entrapment.",
        "body": 'Check the rails.\n\n<script>alert(1)</script><p onclick="x()">Then go.</p>',
        "topics": ["moving_handling"],
        "standards": ["13"],
        "service_id": "",
        "action": "publish",
        **overrides,
    }


def test_manager_publishes_a_sanitised_article_for_their_service(app, client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client,
        "/library/new",
        _article_form(service_id=str(world.willow.id)),
        page_url="/library/new",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bed rails: check before you leave" in page
    assert "alert(1)" not in page and "onclick" not in page and "Then go." in page
    assert "Moving and handling" in page and "13. Health and safety" in page


def test_writing_an_article_explains_what_is_missing(client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client,
        "/library/new",
        _article_form(title="", body="", service_id=str(world.willow.id)),
        page_url="/library/new",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give it a title." in body and "Write the article." in body


def test_only_admins_write_for_every_service_and_staff_cannot_write(client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client, "/library/new", _article_form(service_id="all"), page_url="/library/new"
    )
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/library/new",
        _article_form(service_id=str(world.riverside.id)),
        page_url="/library/new",
    )
    assert "Not a valid choice" in response.get_data(as_text=True)
    post_form(client, "/logout", {})
    signed_in(world.admin)
    response = post_form(
        client, "/library/new", _article_form(service_id="all"), page_url="/library/new"
    )
    assert response.status_code == 302
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert client.get("/library/new").status_code == 403


# -- versions and acknowledgements -----------------------------------------------------------


def test_staff_confirm_they_have_read_an_article(app, client, signed_in, world):
    with app.app_context():
        article = make_article(world)
    signed_in(world.staff)
    partial = client.get(f"/library/{article.slug}/read", headers={"HX-Request": "true"})
    assert "I have read and understood" in partial.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    response = _acknowledge(client, article.slug, 1, headers={"HX-Request": "true"})
    assert "Thank you. You confirmed you read and understood this" in response.get_data(
        as_text=True
    )
    _acknowledge(client, article.slug, 1)  # pressing twice is harmless
    with app.app_context():
        assert db.session.scalar(select(func.count(ReadAcknowledgement.id))) == 1


def test_without_javascript_confirming_reading_redirects_and_thanks(app, client, signed_in, world):
    with app.app_context():
        article = make_article(world)
    signed_in(world.staff)
    response = _acknowledge(client, article.slug, 1, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Thank you. We have noted that you read this." in body
    assert "You confirmed you read and understood this" in body


def test_a_new_version_asks_staff_to_read_again_but_a_correction_does_not(
    app, client, signed_in, world
):
    with app.app_context():
        article = make_article(world)
    signed_in(world.staff)
    _acknowledge(client, article.slug, 1)
    with app.app_context():
        save_article(
            None,
            ArticleDraft(
                title=article.title,
                summary=article.summary,
                body="Clean your hands before and after care. Fixed a typo.",
                topics=[Topic.INFECTION],
            ),
            article=reload(article.id),
            new_version=False,
        )
        db.session.commit()
    page = client.get(f"/library/{article.slug}/read").get_data(as_text=True)
    assert "You confirmed you read and understood this" in page
    with app.app_context():
        save_article(
            None,
            ArticleDraft(
                title=article.title,
                summary=article.summary,
                body="Now use gel only when hands look clean.",
                topics=[Topic.INFECTION],
            ),
            article=reload(article.id),
            new_version=True,
        )
        db.session.commit()
        versions = db.session.scalars(
            select(ArticleVersion.version).where(ArticleVersion.article_id == article.id)
        ).all()
        assert sorted(versions) == [1, 2]
    page = client.get(f"/library/{article.slug}/read").get_data(as_text=True)
    assert "This has changed since you read it." in page
    assert "I have read and understood" in page
    stale = _acknowledge(client, article.slug, 1).get_data(as_text=True)
    assert "This article has just changed. Please read the new version." in stale
    _acknowledge(client, article.slug, 2)
    page = client.get(f"/library/{article.slug}/read").get_data(as_text=True)
    assert "You confirmed you read and understood this" in page


def test_manager_edits_and_chooses_whether_staff_must_read_again(app, client, signed_in, world):
    with app.app_context():
        article = make_article(world, service=world.willow)
    signed_in(world.manager)
    edit_url = f"/library/{article.slug}/edit"
    form = _article_form(
        title=article.title,
        body="Changed for real.",
        topics=["infection"],
        service_id=str(world.willow.id),
        new_version="y",
        action="save",
    )
    assert post_form(client, edit_url, form, page_url=edit_url).status_code == 302
    form.pop("new_version")
    form["body"] = "Changed for real, with a typo fixed."
    assert post_form(client, edit_url, form, page_url=edit_url).status_code == 302
    with app.app_context():
        assert reload(article.id).version == 2


# -- search ----------------------------------------------------------------------------------


def _search(client, **params):
    return client.get("/library", query_string=params).get_data(as_text=True)


def test_search_finds_words_in_titles_summaries_and_bodies(app, client, signed_in, world):
    with app.app_context():
        make_article(
            world,
            title="Giving medicines safely",
            summary="The six rights.",
            body="Check the MAR chart.",
            topics=[Topic.MEDICATION],
        )
        make_article(
            world,
            title="After a fall",
            summary="Do not rush to get them up.",
            body="Use the lifting cushion.",
            topics=[Topic.MOVING_HANDLING],
        )
        make_article(
            world,
            title="Capacity",
            summary="Five principles.",
            body="Best interests decisions consult the family.",
            topics=[Topic.MENTAL_CAPACITY],
        )
    signed_in(world.staff)
    by_title = _search(client, q="medicines")
    assert "Giving medicines safely" in by_title and "After a fall" not in by_title
    by_summary = _search(client, q="rush")
    assert "After a fall" in by_summary and "Giving medicines" not in by_summary
    by_body = _search(client, q="cushion")
    assert "After a fall" in by_body and "Capacity</a>" not in by_body
    assert "1 match for “cushion”" in by_body
    nothing = _search(client, q="zebra")
    assert "Nothing matches yet" in nothing


def test_search_with_a_topic_filter_and_odd_characters(app, client, signed_in, world):
    with app.app_context():
        make_article(
            world, title="Hand gel and soap", body="Soap for norovirus.", topics=[Topic.INFECTION]
        )
        make_article(
            world, title="Soap in the kitchen", body="Soap for pans.", topics=[Topic.HEALTH]
        )
    signed_in(world.staff)
    filtered = _search(client, q="soap", topic="infection")
    assert "Hand gel and soap" in filtered and "Soap in the kitchen" not in filtered
    odd = client.get("/library", query_string={"q": "soap\" OR * NEAR( -- '; DROP"})
    assert odd.status_code == 200
    assert client.get("/library", query_string={"topic": "nonsense"}).status_code == 200


def test_search_never_shows_another_service_s_articles(app, client, signed_in, world):
    with app.app_context():
        make_article(
            world, title="Willow lift keys", body="Keys are in the office.", service=world.willow
        )
    signed_in(world.riverside_staff)
    assert "Willow lift keys" not in _search(client, q="keys")


def test_search_results_update_in_place_with_htmx(app, client, signed_in, world):
    with app.app_context():
        make_article(world, title="Giving medicines safely", topics=[Topic.MEDICATION])
    signed_in(world.staff)
    response = client.get(
        "/library",
        query_string={"q": "medicines"},
        headers={"HX-Request": "true", "HX-Target": "library-results"},
    )
    body = response.get_data(as_text=True)
    assert 'id="library-results"' in body and "<html" not in body


def test_library_list_makes_a_fixed_number_of_queries(app, client, signed_in, world, count_queries):
    with app.app_context():
        for n in range(6):
            make_article(world, title=f"Article {n}", topics=[Topic.INFECTION, Topic.HEALTH])
    signed_in(world.staff)
    with count_queries() as counted:
        assert client.get("/library").status_code == 200
    assert counted.count <= 6, counted.statements  # incl. the header's notification count


def test_writers_see_what_each_version_said(app, client, signed_in, world):
    with app.app_context():
        article = make_article(world, service=world.willow, body="First words.")
        save_article(
            None,
            ArticleDraft(
                title=article.title,
                summary=article.summary,
                body="Second words.",
                service_id=world.willow.id,
            ),
            article=reload(article.id),
        )
        db.session.commit()
    signed_in(world.manager)
    page = client.get(f"/library/{article.slug}/versions").get_data(as_text=True)
    assert "Version 2 (current)" in page and "First words." in page and "Second words." in page
    post_form(client, "/logout", {})
    signed_in(world.staff)
    assert client.get(f"/library/{article.slug}/versions").status_code == 403


def test_an_article_called_new_does_not_hide_behind_the_writing_page(app, world):
    with app.app_context():
        article = make_article(world, title="New")
    assert article.slug == "new-article"


def test_an_article_page_is_the_same_for_every_reader_of_the_same_role(
    app, client, signed_in, world
):
    with app.app_context():
        article = make_article(world)
    pages = []
    for reader in (world.staff, world.riverside_staff):
        signed_in(reader)
        if reader is world.staff:
            _acknowledge(client, article.slug, 1, follow_redirects=True)  # changes nothing below
        html = client.get(f"/library/{article.slug}").get_data(as_text=True)
        # Per-session tokens, and the outbox's owner key (whose drafts this device may send;
        # the worker drops cached pages at sign-out), are the only differences allowed.
        per_session = (
            r'("X-CSRFToken": "|name="csrf_token" value="|name="learnloop-user" content=")[^"]+"'
        )
        pages.append(re.sub(per_session, "", html))
        post_form(client, "/logout", {})
    assert pages[0] == pages[1]


def test_publishing_and_reading_are_kept_in_the_audit_trail(app, client, signed_in, world):
    signed_in(world.manager)
    response = post_form(
        client,
        "/library/new",
        _article_form(service_id=str(world.willow.id)),
        page_url="/library/new",
    )
    slug = response.headers["Location"].rsplit("/", 1)[-1]
    post_form(client, "/logout", {})
    signed_in(world.staff)
    _acknowledge(client, slug, 1)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("library.%"))
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["library.published", "library.acknowledged"]
        assert verify_chain().intact


def test_search_matches_the_start_of_a_word_as_people_type(app, client, signed_in, world):
    with app.app_context():
        make_article(world, title="Giving medicines safely", body="Check the MAR chart.")
    signed_in(world.staff)
    assert "Giving medicines safely" in _search(client, q="giving medic")
    assert "Giving medicines safely" in _search(client, q="chart")
    assert "Nothing matches yet" in _search(client, q="giving zebra")
    assert client.get("/library", query_string={"q": "___ :* & | !"}).status_code == 200
