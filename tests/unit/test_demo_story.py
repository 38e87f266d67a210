"""The demo data tells a coherent story a registered manager would recognise: event types fit
what happened, every CQC notification needed was sent, and best-interests decisions are
decision-specific."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Article,
    Category,
    LibertyAuthorisation,
    LibertyRoute,
    PhysicalHarm,
    Report,
    ReportKind,
    RestrictivePractice,
    SafeguardingConcern,
    ServiceKind,
)
from app.seed import seed_demo


def test_demo_events_fit_their_story(app):
    with app.app_context():
        seed_demo()
        reports = db.session.scalars(select(Report)).all()
        for report in reports:
            if report.kind is ReportKind.NEAR_MISS:
                assert report.category is not Category.SAFEGUARDING, report.description
                assert report.physical_harm is None
            if "broken wrist" in report.description:
                assert report.physical_harm is PhysicalHarm.MODERATE
            if "Unexplained bruise" in report.description:
                assert report.kind is ReportKind.INCIDENT
        paracetamol = next(r for r in reports if "paracetamol" in r.description)
        assert paracetamol.kind is ReportKind.INCIDENT
        assert paracetamol.follow_up["error_type"] == "omission"


def test_demo_reviews_sent_every_cqc_notification_they_needed(app):
    with app.app_context():
        seed_demo()
        reviewed = db.session.scalars(select(Report).where(Report.thanked_at.is_not(None))).all()
        assert any(r.category is Category.SAFEGUARDING for r in reviewed)
        for report in reviewed:
            assert report.notifications_missing() == [], report.description
        old = datetime.now(UTC) - timedelta(days=2)
        for concern in db.session.scalars(select(SafeguardingConcern)):
            if concern.raised_at < old:
                assert concern.cqc_notified_at is not None, concern.concern_type


def test_demo_best_interests_decisions_are_decision_specific(app):
    with app.app_context():
        seed_demo()
        kinds = defaultdict(set)
        for record in db.session.scalars(select(RestrictivePractice)):
            if record.best_interests_id:
                kinds[record.best_interests_id].add(record.restraint_type)
        assert kinds and all(len(used_for) == 1 for used_for in kinds.values())


def test_demo_register_uses_dols_only_in_the_care_home(app):
    with app.app_context():
        seed_demo()
        entries = db.session.scalars(select(LibertyAuthorisation)).all()
        assert {e.route for e in entries} >= {
            LibertyRoute.DOLS_STANDARD,
            LibertyRoute.COURT_OF_PROTECTION,
        }
        for entry in entries:
            assert entry.route.is_dols == (entry.service.kind is ServiceKind.CARE_HOME)


def test_the_demo_medicines_bulletin_never_describes_pre_potting(app):
    with app.app_context():
        seed_demo()
        bulletin = db.session.scalars(
            select(Article).where(Article.slug == "learning-from-a-medicines-near-miss-at-teatime")
        ).one()
        text = bulletin.what_changes
        assert "labelled with the person's name before tablets go in" not in text
        assert "never put into pots in advance" in text
