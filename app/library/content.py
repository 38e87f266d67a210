"""Articles kept as Markdown files with YAML front matter (read by python-frontmatter), loaded
by `flask library import` and by seed-demo.

    ---
    title: "Why near misses matter"
    slug: why-near-misses-matter
    summary: "One line that says what the reader will get."
    topics: [reporting, learning]
    standards: [3, 13]
    induction: 4          (optional: place in the induction pathway)
    ---
    The body, in Markdown.

Quote a title or summary that holds a colon, as YAML asks.

Importing is safe to repeat: an unchanged file changes nothing; a changed file becomes a new
version of its article, so staff are asked to read it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml
from sqlalchemy import select

from app.extensions import db
from app.library.induction import set_pathway
from app.library.services import ArticleDraft, save_article
from app.models import Article, Organisation, Topic
from app.validation import Invalid

CONTENT_DIR = Path(__file__).parent / "content"


class ContentError(Invalid):
    """An article file that cannot be loaded as it is."""


@dataclass
class ContentFile:
    path: Path
    draft: ArticleDraft
    induction: int | None


def parse(path: Path) -> ContentFile:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ContentError(f"{path.name}: no front matter (it must start with ---)")
    try:
        meta, body = frontmatter.parse(text)
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: the front matter is not valid YAML: {error}") from error
    for required in ("title", "summary"):
        if not isinstance(meta.get(required), str) or not meta[required].strip():
            raise ContentError(f"{path.name}: front matter needs {required}")
    try:
        topics = [Topic(topic) for topic in meta.get("topics") or []]
        standards = [int(number) for number in meta.get("standards") or []]
        induction = int(meta["induction"]) if meta.get("induction") is not None else None
    except (TypeError, ValueError) as error:
        raise ContentError(f"{path.name}: {error}") from error
    draft = ArticleDraft(
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        body=body.strip(),
        topics=topics,
        standards=standards,
        slug=str(meta.get("slug") or path.stem),
    )
    return ContentFile(path=path, draft=draft, induction=induction)


def load_files(folder: Path = CONTENT_DIR) -> list[ContentFile]:
    return [parse(path) for path in sorted(folder.glob("*.md"))]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_content(organisation: Organisation, folder: Path = CONTENT_DIR) -> ImportResult:
    """Publish every file as an organisation-wide article, then fill empty induction pathways."""
    result = ImportResult()
    files = load_files(folder)
    pathway: list[tuple[int, Article]] = []
    for content in files:
        article = db.session.scalars(
            select(Article).where(
                Article.organisation_id == organisation.id, Article.slug == content.draft.slug
            )
        ).first()
        if article is None:
            article = save_article(
                None, content.draft, organisation_id=organisation.id, publish=True
            )
            result.created += 1
        elif (article.title, article.summary, article.body.strip()) != (
            content.draft.title,
            content.draft.summary,
            content.draft.body.strip(),
        ) or sorted(article.topics) != sorted(content.draft.topics):
            save_article(None, content.draft, article=article, publish=True)
            result.updated += 1
        else:
            result.unchanged += 1
        if content.induction is not None:
            pathway.append((content.induction, article))
    pathway.sort(key=lambda pair: pair[0])
    _fill_empty_pathways(organisation, [article for _, article in pathway])
    db.session.commit()
    return result


def _fill_empty_pathways(organisation: Organisation, articles: list[Article]) -> None:
    """Give each service without a pathway the standard one (a service's own changes stay)."""
    from app.models import InductionStep

    for service in organisation.services:
        has_steps = db.session.scalars(
            select(InductionStep.id).where(InductionStep.service_id == service.id).limit(1)
        ).first()
        if not has_steps and articles:
            set_pathway(service.id, articles)
