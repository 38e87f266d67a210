"""The busiest pages ask the database a fixed number of times however much there is to show,
and read only what their cards show, while showing the same things: the home page, "My
reports", the triage list, the library, the observation page, sending a report, and the audit
entry every change writes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from app.audit import log_event, verify_chain
from app.extensions import db
from app.models import ArticleKind, Category, Report, ReportKind, utcnow
from app.models.audit import AuditHead
from app.reports import services
from tests.conftest import post_form
from tests.functional.library_helpers import make_article


def _report(app, world, description, *, reporter=None, anonymous=False, age_hours=1, **fields):
    with app.app_context():
        report = Report(
            service_id=fields.pop("service_id", world.willow.id),
            reporter_id=None if anonymous else (reporter or world.staff).id,
            anonymous=anonymous,
            kind=ReportKind.NEAR_MISS,
            category=Category.MEDICATION,
            description=description,
            occurred_on=(utcnow() - timedelta(hours=age_hours)).date(),
            created_at=utcnow() - timedelta(hours=age_hours),
            follow_up={},
            **fields,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def _bulletin_from(app, world, report_id: int, title: str) -> None:
    with app.app_context():
        make_article(
            world,
            title=title,
            kind=ArticleKind.BULLETIN,
            report_id=report_id,
            what_happened="A near miss with tablets.",
            what_we_learned="Check the name twice.",
            what_changes="Two people check.",
        )


def _without_sign_in(counter) -> list[str]:
    return [s for s in counter.statements if "sign_in_session" not in s]


# -- My reports --------------------------------------------------------------------------------


def test_my_reports_asks_the_same_few_questions_for_one_report_or_twenty(
    app, client, signed_in, world, count_queries
):
    first = _report(app, world, "The first near miss", age_hours=50)
    _bulletin_from(app, world, first, "Learning from the first near miss")
    signed_in(world.staff)
    with count_queries() as one:
        page = client.get("/reports/mine").get_data(as_text=True)
    assert "Learning from the first near miss" in page
    for n in range(19):
        report_id = _report(app, world, f"Near miss number {n}", age_hours=40 - n)
        _bulletin_from(app, world, report_id, f"Bulletin number {n}")
    with count_queries() as twenty:
        page = client.get("/reports/mine").get_data(as_text=True)
    assert page.count('class="card card--link') == 20
    assert "Bulletin number 18" in page and "Learning from the first near miss" in page
    assert twenty.count == one.count, twenty.statements
    assert len(_without_sign_in(twenty)) <= 3, twenty.statements


def test_a_new_reply_shows_once_then_reads_as_read(app, client, signed_in, world):
    report_id = _report(app, world, "Nearly gave the wrong tablets")
    _report(app, world, "A wet floor by the lift", age_hours=3)
    with app.app_context():
        services.give_feedback(db.session.get(Report, report_id), thanks="Thank you", learning=None)
    signed_in(world.staff)
    page = client.get("/reports/mine").get_data(as_text=True)
    assert "1 report has new thanks or learning." in page
    assert page.count("New reply") == 1 and "Thank-you from your manager" in page
    assert "Status: Thank-you" in page and "Status: Sent" in page
    again = client.get("/reports/mine").get_data(as_text=True)
    assert "New reply" not in again and "new thanks or learning" not in again
    assert "Thank-you from your manager" in again
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.feedback_read_at is not None and not report.has_new_feedback


# -- The triage list ---------------------------------------------------------------------------


def test_the_triage_list_asks_the_same_questions_however_many_reports(
    app, client, signed_in, world, count_queries
):
    _report(app, world, "Named near miss", reporter=world.supervisor)
    signed_in(world.manager)
    with count_queries() as one:
        client.get("/reports")
    for n in range(30):
        _report(app, world, f"Another near miss {n}", age_hours=2 + n, anonymous=n % 2 == 0)
    with count_queries() as many:
        page = client.get("/reports").get_data(as_text=True)
    assert page.count('<li class="card">') == services.QUEUE_PAGE_SIZE
    assert many.count == one.count, many.statements


def test_the_triage_list_names_reporters_but_never_an_anonymous_one(app, client, signed_in, world):
    _report(app, world, "Sent with a name", reporter=world.supervisor, age_hours=1)
    _report(app, world, "Sent without a name", anonymous=True, age_hours=2)
    _report(app, world, "At the other house", service_id=world.riverside.id, age_hours=3)
    signed_in(world.manager)
    page = client.get("/reports?sort=newest").get_data(as_text=True)
    named = page[page.index("Sent with a name") - 400 : page.index("Sent with a name")]
    hidden = page[page.index("Sent without a name") - 400 : page.index("Sent without a name")]
    assert world.supervisor.name in named
    assert "Anonymous" in hidden and world.staff.name not in hidden
    assert "At the other house" not in page and "Riverside" not in page  # not their service
    post_form(client, "/logout", {})
    signed_in(world.admin)  # an admin sees every service, so each card names its service
    page = client.get("/reports?sort=newest").get_data(as_text=True)
    other = page[page.index("At the other house") - 400 : page.index("At the other house")]
    assert "Riverside" in other and world.staff.name in other


# -- The library and the home page -------------------------------------------------------------


def test_the_library_list_asks_the_same_questions_however_many_articles(
    app, client, signed_in, world, count_queries
):
    with app.app_context():
        make_article(world, title="Hand hygiene basics")
    signed_in(world.staff)
    with count_queries() as one:
        client.get("/library")
    with app.app_context():
        for n in range(8):
            make_article(world, title=f"Moving and handling part {n}")
        make_article(world, title="Only in Willow House", service=world.willow)
        make_article(world, title="Only at Riverside", service=world.riverside)
        make_article(world, title="A draft nobody sees yet", publish=False)
    with count_queries() as many:
        page = client.get("/library").get_data(as_text=True)
    assert page.count('class="card article-card"') == 10
    assert "Only in Willow House" in page and "Moving and handling part 7" in page
    assert "Only at Riverside" not in page and "A draft nobody sees yet" not in page
    assert many.count == one.count, many.statements
    assert len(_without_sign_in(many)) <= 1, many.statements  # the articles, with their scope


def test_the_library_marks_bulletins_and_drafts_on_their_cards(app, client, signed_in, world):
    report_id = _report(app, world, "Tablets nearly mixed up")
    _bulletin_from(app, world, report_id, "What we learned about tablets")
    with app.app_context():
        make_article(world, title="A draft for Willow House", service=world.willow, publish=False)
    signed_in(world.manager)  # managers see the drafts they could edit
    page = client.get("/library").get_data(as_text=True)
    bulletin = page[page.index("What we learned about tablets") :]
    assert "Learning bulletin" in bulletin[: bulletin.index("</li>")]
    draft = page[page.index("A draft for Willow House") :]
    assert "Draft" in draft[: draft.index("</li>")].replace("A draft for", "")


def test_the_home_page_asks_the_same_questions_however_many_bulletins(
    app, client, signed_in, world, count_queries
):
    report_id = _report(app, world, "Tablets nearly mixed up")
    _bulletin_from(app, world, report_id, "First bulletin")
    signed_in(world.staff)
    with count_queries() as one:
        page = client.get("/").get_data(as_text=True)
    assert "New learning for you" in page and "First bulletin" in page
    for n in range(5):
        _bulletin_from(app, world, report_id, f"Bulletin {n}")
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert page.count("Learning bulletin ·") == 3  # the newest three
    assert many.count == one.count, many.statements


# -- The observation page ----------------------------------------------------------------------


def test_the_observation_page_reads_the_checklists_once(
    app, client, signed_in, world, count_queries
):
    signed_in(world.supervisor)
    with count_queries() as counted:
        assert client.get("/observe").status_code == 200
    checklists = [s for s in counted.statements if "FROM checklist_template" in s]
    assert len(checklists) == 1, counted.statements


# -- Sending a report, and the audit trail -----------------------------------------------------


def _token(client) -> str:
    page = client.get("/report").get_data(as_text=True)
    start = page.index('"X-CSRFToken": "') + len('"X-CSRFToken": "')
    return page[start : page.index('"', start)]


def test_a_report_that_needs_no_alert_is_not_read_back_twice(
    app, client, signed_in, world, count_queries
):
    signed_in(world.staff)
    token = _token(client)
    body = {
        "client_id": str(uuid.uuid4()),
        "description": "A near miss with the hoist sling, noticed before the transfer.",
        "kind": "near_miss",
        "category": "falls",
        "time_bracket": "unknown",
    }
    with count_queries() as sent:
        answer = client.post("/api/v1/reports", json=body, headers={"X-CSRFToken": token})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["kind"] == "near_miss" and answer.get_json()["status"] == "new"
    after_insert = sent.statements[
        next(i for i, s in enumerate(sent.statements) if s.startswith("INSERT INTO report ")) :
    ]
    read_back = [s for s in after_insert if s.startswith("SELECT report.id")]
    assert len(read_back) <= 1, sent.statements
    audit = [s for s in sent.statements if "audit_head" in s or "audit_entry" in s]
    assert len(audit) == 3, audit  # count and lock the head, add the entry, move the head


def test_an_audit_head_already_read_shows_the_newest_entry(app):
    with app.app_context():
        log_event("test.first", summary={"n": 1}, actor=None)
        db.session.commit()
        head = db.session.get(AuditHead, 1)
        assert head.entries == 1
        second = log_event("test.second", summary={"n": 2}, actor=None)
        third = log_event("test.third", summary={"n": 3}, actor=None)
        assert third.previous_hash == second.entry_hash
        assert head.last_hash == third.entry_hash and head.entries == 3
        db.session.commit()
        assert verify_chain().intact and verify_chain().entries == 3
        assert db.session.scalar(select(AuditHead.entries)) == 3
