"""The dashboard reads monthly rollups: after reports are made, reviewed and their learning
shared (through the pages, as staff and managers do), the rollups hold exactly what a fresh
GROUP BY over the reports gives. Runs on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

from sqlalchemy import select

from app.extensions import db
from app.governance.rollups import count_new, rebuild, recount
from app.models import FeedbackDelayRollup, Report, ReportKind, ReportRollup, ReportStatus
from app.models.reports import SERIOUS_HARM
from tests.conftest import post_form
from tests.functional.governance_data import add_reports, feedback, incident, report_row, when


def _fresh_counts():
    """Count the reports in Python, straight from the report table."""
    reports, delays = Counter(), Counter()
    for r in db.session.scalars(select(Report)):
        month = r.created_at.astimezone(UTC).strftime("%Y-%m")
        if r.kind is ReportKind.NEAR_MISS:
            band = "near_miss"
        elif r.physical_harm in SERIOUS_HARM:
            band = "serious"
        else:
            band = "incident"
        shared = r.status in (ReportStatus.LEARNING_SHARED, ReportStatus.CLOSED)
        key = (r.service_id, month, r.kind.value, band, r.category.value, r.is_repeat, shared)
        reports[key] += 1
        if r.first_feedback_at is not None:
            seconds = round((r.first_feedback_at - r.created_at).total_seconds())
            delays[(r.service_id, month, seconds)] += 1
    return reports, delays


def _rollups():
    reports = Counter(
        {
            (
                r.service_id,
                r.month,
                r.kind,
                r.harm_band,
                r.category,
                r.is_repeat,
                r.learning_shared,
            ): r.reports
            for r in db.session.scalars(select(ReportRollup))
        }
    )
    delays = Counter(
        {
            (d.service_id, d.month, d.delay_seconds): d.reports
            for d in db.session.scalars(select(FeedbackDelayRollup))
        }
    )
    return reports, delays


def _report(client, **answers):
    post_form(
        client,
        "/report",
        {
            "description": "A slip on the wet floor by the lift",
            "kind": "near_miss",
            "category": "falls",
            **answers,
        },
        page_url="/report",
    )


def test_rollups_match_the_reports_after_reporting_review_and_learning(
    app, client, signed_in, world
):
    with app.app_context():
        add_reports(
            [
                report_row(world.willow.id, when(2026, 1)),
                incident(world.willow.id, when(2026, 2, 3), **feedback(when(2026, 2, 3), 2.5)),
                report_row(world.riverside.id, when(2026, 3), is_repeat=True),
            ]
        )
    signed_in(world.staff)
    _report(client)
    _report(client, kind="incident", category="medication", physical_harm="moderate")
    _report(client, kind="incident", category="medication", physical_harm="low")
    post_form(client, "/logout", {})
    with app.app_context():
        ids = db.session.scalars(
            select(Report.id).where(Report.service_id == world.willow.id).order_by(Report.id)
        ).all()
        assert _rollups() == _fresh_counts()

    signed_in(world.manager)
    reviewed, shared = ids[-1], ids[-2]
    post_form(
        client,
        f"/reports/{reviewed}/review",
        {"status": "under_review", "learning_outcome": "The round was interrupted."},
        page_url=f"/reports/{reviewed}",
    )
    post_form(
        client,
        f"/reports/{shared}/feedback",
        {"thanks": "Thank you for telling us.", "learning": "We moved the trolley."},
        page_url=f"/reports/{shared}",
    )
    with app.app_context():
        statuses = {r.id: r.status for r in db.session.scalars(select(Report))}
        assert statuses[reviewed] is ReportStatus.UNDER_REVIEW
        assert statuses[shared] is ReportStatus.LEARNING_SHARED
        after = _fresh_counts()
        assert _rollups() == after
        # Rebuilding from scratch gives the same rows again.
        rebuild()
        db.session.commit()
        assert _rollups() == after
    # The triage queue's total comes from the rollups too: Willow House's reports only.
    assert f"{len(ids)} reports" in client.get("/reports").get_data(as_text=True)


def test_a_report_that_is_never_saved_leaves_the_rollups_alone(app, world):
    with app.app_context():
        unsaved = Report(**report_row(world.willow.id, when(2026, 4)))
        db.session.add(unsaved)
        count_new([unsaved])
        db.session.rollback()
        saved = Report(**report_row(world.willow.id, when(2026, 5)))
        db.session.add(saved)
        count_new([saved])
        db.session.commit()
        assert _rollups() == _fresh_counts()
        assert sum(_rollups()[0].values()) == 1


def test_new_reports_are_added_to_their_rows_and_agree_with_a_recount(app, world):
    """New reports take the quick path (+1 on their row); a report made and changed in one
    transaction, two alike in one commit, and a month being recounted must still add up.
    These tests write reports as the services do: add, then `count_new` or `recount`."""
    with app.app_context():
        add_reports([report_row(world.willow.id, when(2026, 5, 1))])
        new = [
            Report(**report_row(world.willow.id, when(2026, 5, 2))),
            Report(**report_row(world.willow.id, when(2026, 5, 3))),
            Report(**incident(world.riverside.id, when(2026, 5, 4))),
        ]
        db.session.add_all(new)
        count_new(new)
        db.session.commit()
        assert _rollups() == _fresh_counts()

        changed_before_commit = Report(**report_row(world.willow.id, when(2026, 6, 1)))
        db.session.add(changed_before_commit)
        count_new([changed_before_commit])
        changed_before_commit.is_repeat = True
        recount([changed_before_commit])
        alike = Report(**report_row(world.willow.id, when(2026, 6, 2)))
        db.session.add(alike)
        count_new([alike])
        db.session.commit()
        assert _rollups() == _fresh_counts()
        assert (
            _rollups()[0][
                (world.willow.id, "2026-06", "near_miss", "near_miss", "falls", True, False)
            ]
            == 1
        )
