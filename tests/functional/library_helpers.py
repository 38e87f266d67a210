"""Building library records for tests."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.library.induction import set_pathway
from app.library.services import ArticleDraft, save_article
from app.models import Article, Category, Report, ReportKind, ReportStatus, Topic


def make_article(world, *, title="Hand hygiene basics", service=None, publish=True, **extra):
    """An article in the test organisation: organisation-wide unless `service` is given."""
    draft = ArticleDraft(
        title=title,
        summary=extra.pop("summary", "Why clean hands matter."),
        body=extra.pop("body", "Clean your hands before and after care."),
        topics=extra.pop("topics", [Topic.INFECTION]),
        standards=extra.pop("standards", [15]),
        service_id=service.id if service else None,
        **extra,
    )
    article = save_article(
        None, draft, organisation_id=world.willow.organisation_id, publish=publish
    )
    db.session.commit()
    db.session.refresh(article)
    db.session.expunge(article)
    return article


def reload(article_id: int) -> Article:
    return db.session.get(Article, article_id)


def make_report(world, service=None, status=ReportStatus.LEARNING_SHARED) -> Report:
    report = Report(
        service_id=(service or world.willow).id,
        reporter_id=world.staff.id,
        kind=ReportKind.NEAR_MISS,
        category=Category.MEDICATION,
        description="Mrs Smith in room 4 nearly got Mr Jones's tablets.",
        occurred_on=date.today(),
        status=status,
        follow_up={},
    )
    db.session.add(report)
    db.session.commit()
    report_id = report.id
    db.session.expunge_all()
    return report_id


def make_pathway(world, service, count=3) -> list[int]:
    articles = [
        save_article(
            None,
            ArticleDraft(
                title=f"Induction reading {n}",
                summary=f"Reading {n}.",
                body=f"Body {n}.",
                topics=[Topic.INDUCTION],
                standards=[n],
            ),
            organisation_id=world.willow.organisation_id,
            publish=True,
        )
        for n in range(1, count + 1)
    ]
    set_pathway(service.id, articles)
    db.session.commit()
    return [a.id for a in articles]
