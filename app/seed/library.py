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
    what_happened="During the evening handover, a senior carer was giving teatime medicines "
    "while answering the phone. She took the second person's tablets out of the trolley before "
    "checking who was in front of her. The photo and name check on the MAR chart stopped it "
    "before anyone took them. Nobody was harmed.",
    what_we_learned="The medicine round was often interrupted at handover, because the phone "
    "and the door are answered by whoever is nearest. Interrupted, it is easy to lose your "
    "place. The near miss was caught because the photo and name were checked against the MAR "
    "chart at the person's side: that check works and we want to keep it.",
    what_changes="From Monday the teatime round starts 15 minutes after handover ends. The "
    "person giving medicines wears the red 'do not disturb' tabard and does not answer the "
    "phone. Medicines are still prepared for one person at a time, just before they are "
    "given, and never put into pots in advance.",
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
