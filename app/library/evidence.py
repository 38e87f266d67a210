"""What the library puts in the evidence pack: learning bulletins and who has read them."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.governance.evidence import SAMPLES, EvidenceItem, evidence_items
from app.governance.figures import Scope
from app.library.services import read_rates
from app.models import Article, ArticleKind, ArticleStatus, Service


@evidence_items("Learning, improvement and innovation", order=70)
def bulletins_read(scope: Scope) -> list[EvidenceItem]:
    """Learning bulletins published in the range for these services, and who has read them."""
    organisations = select(Service.organisation_id).where(Service.id.in_(scope.service_ids))
    bulletins = list(
        db.session.scalars(
            select(Article)
            .where(
                Article.kind == ArticleKind.BULLETIN,
                Article.status == ArticleStatus.PUBLISHED,
                scope.in_range(Article.published_at),
                or_(
                    Article.service_id.in_(scope.service_ids),
                    and_(
                        Article.service_id.is_(None),
                        Article.organisation_id.in_(organisations),
                    ),
                ),
            )
            .order_by(Article.published_at.desc())
            .limit(SAMPLES * 2)
        )
    )
    rates = read_rates(bulletins, lambda column: column.in_(scope.service_ids))
    return [
        EvidenceItem(
            f"Learning bulletin: {rate.article.title}",
            f"Read and understood by {rate.readers} of {rate.audience} staff ({rate.percent}%). "
            f"{rate.article.summary}",
            "Processes",
            rate.article.published_at.date().isoformat(),
        )
        for rate in rates
    ]
