"""Demo library: the articles in app/library/content, the induction pathways, and one learning
bulletin at Willow House. Safe to run twice."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.library.content import import_content
from app.library.services import ArticleDraft, save_article
from app.models import Article, ArticleKind, Organisation, Service, Topic

DEMO_BULLETIN = ArticleDraft(
    title="Learning from a medicines near miss at teatime",
    slug="learning-from-a-medicines-near-miss-at-teatime",
    summary="Two people's evening tablets were nearly mixed up during a busy handover. "
    "Here is what we learned, and the one change we are making.",
    body="",
    kind=ArticleKind.BULLETIN,
    topics=[Topic.LEARNING, Topic.MEDICATION],
    standards=[13],
    what_happened="During the evening handover, a senior carer was preparing teatime medicines "
    "while answering the phone. Two people's tablets were put in the wrong pots. A colleague "
    "checking the MAR chart noticed before anyone took them. Nobody was harmed.",
    what_we_learned="The medicine round was often interrupted at handover, because the phone "
    "and the door are answered by whoever is nearest. The pots were not labelled until the end "
    "of the round. The near miss was caught because a colleague checked the chart: that check "
    "works and we want to keep it.",
    what_changes="From Monday the teatime round starts 15 minutes after handover ends. The "
    "person giving medicines wears the red 'do not disturb' tabard and does not answer the "
    "phone. Pots are labelled with the person's name before tablets go in.",
)


def seed_library(organisation_name: str) -> None:
    organisation = db.session.scalars(
        select(Organisation).where(Organisation.name == organisation_name)
    ).one()
    import_content(organisation)
    willow = db.session.scalars(
        select(Service).where(
            Service.organisation_id == organisation.id, Service.name == "Willow House"
        )
    ).first()
    exists = db.session.scalars(
        select(Article.id).where(
            Article.organisation_id == organisation.id, Article.slug == DEMO_BULLETIN.slug
        )
    ).first()
    if willow is not None and exists is None:
        draft = ArticleDraft(**{**DEMO_BULLETIN.__dict__, "service_id": willow.id})
        save_article(None, draft, organisation_id=organisation.id, publish=True)
        db.session.commit()
