"""Library rules: who sees which article, writing and publishing, versions, "I have read and
understood", learning bulletins from reports, and read rates.

Who sees what:
- everyone reads the published articles of their organisation that are organisation-wide or for
  a service they can see (their own; an admin, every service of the organisation);
- managers and admins also see drafts they could edit, write articles for their service,
  publish them, and see read rates for their own staff; only admins write organisation-wide.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.audit import log_event
from app.auth.policy import can, can_see_service, in_scope
from app.extensions import db
from app.library.markdown import reading_minutes, render_markdown
from app.library.search import apply_search
from app.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    ArticleTopic,
    ArticleVersion,
    ReadAcknowledgement,
    Report,
    ReportStatus,
    Role,
    Service,
    Topic,
    User,
    utcnow,
)
from app.validation import FORM, Invalid

SHARED_LEARNING = (ReportStatus.LEARNING_SHARED, ReportStatus.CLOSED)


class LibraryError(Invalid):
    """A rule stopped the change; the message is for the person making it."""

    def __init__(self, message: str, field_name: str | None = None):
        super().__init__(message, field=field_name or FORM)


@dataclass
class ArticleDraft:
    """What an author typed: the same whether it came from the form, the API or a file."""

    title: str
    summary: str
    body: str
    topics: list[Topic] = field(default_factory=list)
    standards: list[int] = field(default_factory=list)
    service_id: int | None = None
    kind: ArticleKind = ArticleKind.GUIDE
    slug: str | None = None
    report_id: int | None = None
    what_happened: str | None = None
    what_we_learned: str | None = None
    what_changes: str | None = None


# -- who sees what ---------------------------------------------------------------------------


def audience_condition(user: User) -> ColumnElement[bool]:
    """Articles meant for `user`: their organisation's, organisation-wide or for their services.

    The organisation is looked up inside the same statement: `user.organisation_id` would load
    the person's service first, one more query on the home page, the library and "My reports".
    """
    return and_(
        Article.organisation_id == _organisation_of(user),
        or_(Article.service_id.is_(None), in_scope(user, Article.service_id)),
    )


def _organisation_of(user: User) -> ColumnElement[int]:
    return select(Service.organisation_id).where(Service.id == user.service_id).scalar_subquery()


# What a card in a list of articles shows (app/templates/library/_macros.html), read as plain
# rows: building whole Article objects, with their bodies, costs several times as much.
CARD_COLUMNS = (
    Article.id,
    Article.slug,
    Article.title,
    Article.summary,
    Article.kind,
    Article.reading_minutes,
    (Article.kind == ArticleKind.BULLETIN).label("is_bulletin"),
    (Article.status == ArticleStatus.PUBLISHED).label("is_published"),
)


def can_write(user: User) -> bool:
    return can(user, "library.write")


def can_edit(user: User, article: Article) -> bool:
    """Managers edit their service's articles; organisation-wide ones are for admins."""
    if not can_write(user) or article.organisation_id != user.organisation_id:
        return False
    if article.service_id is None:
        return user.role is Role.ADMIN
    return can_see_service(user, article.service_id)


def visible_condition(user: User) -> ColumnElement[bool]:
    published = Article.status == ArticleStatus.PUBLISHED
    if not can_write(user):
        return and_(audience_condition(user), published)
    own_drafts = (
        Article.service_id.is_not(None) if user.role is not Role.ADMIN else Article.id.is_not(None)
    )
    return and_(audience_condition(user), or_(published, own_drafts))


def find_articles(
    user: User, query: str = "", topic: Topic | None = None, kind: ArticleKind | None = None
) -> list:
    """The library list: search and filters, best match first, else newest first. Each is a
    row of `CARD_COLUMNS`: what the list shows, not the whole article."""
    statement = select(*CARD_COLUMNS).where(visible_condition(user))
    if topic is not None:
        statement = statement.where(
            Article.id.in_(select(ArticleTopic.article_id).where(ArticleTopic.topic == topic))
        )
    if kind is not None:
        statement = statement.where(Article.kind == kind)
    statement = apply_search(statement, query)
    statement = statement.order_by(Article.published_at.desc().nulls_first(), Article.title).limit(
        100
    )
    return list(db.session.execute(statement))


def article_by_slug(user: User, slug: str) -> Article:
    """One article `user` may read, or 404 (drafts only for those who could edit them)."""
    article = db.session.scalars(
        select(Article).where(Article.slug == slug, visible_condition(user))
    ).first()
    if article is None or (not article.is_published and not can_edit(user, article)):
        abort(404)
    return article


def editable_article(user: User, slug: str) -> Article:
    if not can_write(user):
        abort(403)
    article = article_by_slug(user, slug)
    if not can_edit(user, article):
        abort(403)
    return article


# -- writing and publishing ------------------------------------------------------------------


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:100] or "article"


RESERVED_SLUGS = {"new", "bulletins"}  # taken by pages under /library/


def _unique_slug(organisation_id: int, wanted: str, article_id: int | None = None) -> str:
    if wanted in RESERVED_SLUGS:
        wanted = f"{wanted}-article"
    taken = set(
        db.session.scalars(
            select(Article.slug).where(
                Article.organisation_id == organisation_id,
                Article.slug.like(f"{wanted}%"),
                Article.id != (article_id or 0),
            )
        )
    )
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def bulletin_body(draft: ArticleDraft) -> str:
    """A learning bulletin's Markdown, from its three parts."""
    parts = [
        ("What happened", draft.what_happened),
        ("What we learned", draft.what_we_learned),
        ("What changes", draft.what_changes),
    ]
    return "\n\n".join(f"## {heading}\n\n{(text or '').strip()}" for heading, text in parts)


def _check(user: User | None, draft: ArticleDraft, organisation_id: int) -> None:
    if draft.service_id is None and user is not None and user.role is not Role.ADMIN:
        raise LibraryError("Only a provider admin can write for every service.", "service_id")
    if (
        draft.service_id is not None
        and user is not None
        and not can_see_service(user, draft.service_id)
    ):
        raise LibraryError("Choose one of your services.", "service_id")
    if not draft.title.strip():
        raise LibraryError("Give it a title.", "title")
    if not draft.body.strip():
        raise LibraryError("Write the article.", "body")


def save_article(
    user: User | None,
    draft: ArticleDraft,
    *,
    article: Article | None = None,
    organisation_id: int | None = None,
    publish: bool = False,
    new_version: bool = True,
) -> Article:
    """Create or change an article; `user` None means an import from the command line.

    Changing a published article with `new_version` raises its version, so everyone who read
    it is asked to read it again; without, the change is a small correction to this version.
    """
    organisation_id = organisation_id or (article.organisation_id if article else None)
    if organisation_id is None and user is not None:
        organisation_id = user.organisation_id
    if draft.kind is ArticleKind.BULLETIN:
        draft.body = bulletin_body(draft)
    _check(user, draft, organisation_id)
    creating = article is None
    if creating:
        article = Article(organisation_id=organisation_id, kind=draft.kind, author=user, version=1)
        article.slug = _unique_slug(organisation_id, draft.slug or slugify(draft.title))
        db.session.add(article)
    changed = creating or (draft.title, draft.summary, draft.body) != (
        article.title,
        article.summary,
        article.body,
    )
    if not creating and changed and article.is_published and new_version:
        article.version += 1
    article.title = draft.title.strip()
    article.summary = draft.summary.strip()
    article.body = draft.body.strip() + "\n"
    article.body_html = render_markdown(article.body)
    article.reading_minutes = reading_minutes(article.title, article.summary, article.body)
    article.standards = sorted(set(draft.standards))
    article.service_id = draft.service_id
    article.report_id = draft.report_id if creating else article.report_id
    article.what_happened = draft.what_happened
    article.what_we_learned = draft.what_we_learned
    article.what_changes = draft.what_changes
    article.updated_at = utcnow()
    _set_topics(article, draft.topics)
    if publish and not article.is_published:
        article.status = ArticleStatus.PUBLISHED
        article.published_at = utcnow()
    db.session.flush()
    _keep_version(article, user)
    log_event(
        "library.published" if publish else ("library.created" if creating else "library.edited"),
        article,
        summary={"slug": article.slug, "version": article.version, "kind": article.kind.value},
        actor=user,
        service_id=article.service_id,
    )
    return article


def _set_topics(article: Article, topics: list[Topic]) -> None:
    wanted = set(topics)
    article.topic_links = [link for link in article.topic_links if link.topic in wanted]
    have = {link.topic for link in article.topic_links}
    for topic in sorted(wanted - have):
        article.topic_links.append(ArticleTopic(topic=topic))


def _keep_version(article: Article, user: User | None) -> None:
    """Store the text of the current version (a correction overwrites it)."""
    kept = db.session.scalars(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article.id, ArticleVersion.version == article.version
        )
    ).first()
    if kept is None:
        kept = ArticleVersion(article_id=article.id, version=article.version)
        db.session.add(kept)
    kept.title, kept.summary, kept.body = article.title, article.summary, article.body
    kept.saved_at = utcnow()
    kept.saved_by_id = user.id if user else None


def publish(user: User, article: Article) -> None:
    if article.is_published:
        return
    article.status = ArticleStatus.PUBLISHED
    article.published_at = utcnow()
    log_event("library.published", article, summary={"slug": article.slug})


def withdraw(user: User, article: Article) -> None:
    """Take an article back to draft: nobody but its writers sees it, nor its induction step."""
    if not article.is_published:
        return
    article.status = ArticleStatus.DRAFT
    log_event("library.withdrawn", article, summary={"slug": article.slug})


# -- reading ---------------------------------------------------------------------------------


@dataclass
class ReadingState:
    """What `user` has confirmed about one article."""

    current: ReadAcknowledgement | None
    earlier: ReadAcknowledgement | None

    @property
    def read_current(self) -> bool:
        return self.current is not None

    @property
    def needs_reread(self) -> bool:
        return self.current is None and self.earlier is not None


def versions_of(article: Article) -> list[ArticleVersion]:
    """Every kept version, newest first."""
    return list(
        db.session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.version.desc())
        )
    )


def reading_state(user: User, article: Article) -> ReadingState:
    acks = db.session.scalars(
        select(ReadAcknowledgement)
        .where(ReadAcknowledgement.user_id == user.id, ReadAcknowledgement.article_id == article.id)
        .order_by(ReadAcknowledgement.version.desc())
    ).all()
    current = next((a for a in acks if a.version == article.version), None)
    earlier = next((a for a in acks if a.version < article.version), None)
    return ReadingState(current=current, earlier=earlier)


def acknowledge(user: User, article: Article, version: int | None = None) -> ReadAcknowledgement:
    """Record "I have read and understood" for the current version (once; repeats are fine).

    `version` is the version the page showed: if the article changed meanwhile, the person
    is asked to read the new version instead.
    """
    if not article.is_published:
        raise LibraryError("This article is not published yet.")
    if version is not None and version != article.version:
        raise LibraryError("This article has just changed. Please read the new version.")
    existing = reading_state(user, article).current
    if existing is not None:
        return existing
    ack = ReadAcknowledgement(
        user_id=user.id, service_id=user.service_id, article_id=article.id, version=article.version
    )
    db.session.add(ack)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same person confirmed twice at once
        return reading_state(user, article).current
    log_event(
        "library.acknowledged",
        article,
        summary={"slug": article.slug, "version": article.version},
        service_id=user.service_id,
    )
    return ack


# -- learning bulletins ----------------------------------------------------------------------


def report_for_bulletin(user: User, report_id: int) -> Report:
    """The report a bulletin comes from: one the manager may see (else 404), learning shared."""
    from app.auth.policy import get_or_404

    report = get_or_404(Report, report_id, "library.publish", user)
    if report.status not in SHARED_LEARNING:
        raise LibraryError("Share the learning on this report first, then publish a bulletin.")
    return report


def bulletin_from_report(report: Report) -> ArticleDraft:
    """A first draft from the report's learning. The manager de-identifies it before publishing.

    The report's own words are not copied into "What happened": they may name people. The
    manager writes it from the outline given.
    """
    # "What we learned" from the manager's review; else the learning message sent to the reporter.
    learning = report.learning_outcome or report.learning_message
    changes = "\n".join(f"- {action.description}" for action in report.actions)
    kind = _short(report.kind.label)
    harm = f" Harm: {_short(report.physical_harm.label)}." if report.physical_harm else ""
    category = report.category.label.lower()
    return ArticleDraft(
        title=f"Learning from a {category} {kind}",
        summary="",
        body="",
        kind=ArticleKind.BULLETIN,
        service_id=report.service_id,
        report_id=report.id,
        what_happened=f"A {kind} about {category}.{harm}",
        what_we_learned=learning or "",
        what_changes=changes,
    )


def _short(label: str) -> str:
    """ "Near miss – caught in time" becomes "near miss"."""
    return label.split(" –")[0].lower()


@dataclass
class ReadRate:
    article: Article
    readers: int
    audience: int

    @property
    def percent(self) -> int:
        return round(100 * self.readers / self.audience) if self.audience else 0


def bulletin_read_rates(user: User) -> list[ReadRate]:
    """Each published bulletin `user` sees, with how many of their staff have read it.

    Counted among active people in the services `user` can see and the bulletin is for.
    Three queries, however many bulletins.
    """
    bulletins = list(
        db.session.scalars(
            select(Article)
            .where(visible_condition(user), Article.kind == ArticleKind.BULLETIN)
            .order_by(Article.published_at.desc().nulls_first())
            .limit(50)
        )
    )
    return read_rates(bulletins, lambda column: in_scope(user, column))


def read_rates(bulletins: list[Article], in_services) -> list[ReadRate]:
    """Read rates of `bulletins` among active people in the services `in_services(column)`
    accepts (a condition on a service id column). Two queries, however many bulletins."""
    staff_per_service = dict(
        db.session.execute(
            select(User.service_id, func.count(User.id))
            .where(User.active.is_(True), in_services(User.service_id))
            .group_by(User.service_id)
        ).all()
    )
    readers = (
        dict(
            db.session.execute(
                select(
                    ReadAcknowledgement.article_id,
                    func.count(func.distinct(ReadAcknowledgement.user_id)),
                )
                .join(User, User.id == ReadAcknowledgement.user_id)
                .where(
                    ReadAcknowledgement.article_id.in_([b.id for b in bulletins]),
                    User.active.is_(True),
                    in_services(ReadAcknowledgement.service_id),
                )
                .group_by(ReadAcknowledgement.article_id)
            ).all()
        )
        if bulletins
        else {}
    )
    rates = []
    for bulletin in bulletins:
        if bulletin.service_id is None:
            audience = sum(staff_per_service.values())
        else:
            audience = staff_per_service.get(bulletin.service_id, 0)
        rates.append(ReadRate(bulletin, readers.get(bulletin.id, 0), audience))
    return rates


def new_bulletins_for(user: User, limit: int = 3) -> list:
    """Published bulletins `user` has not yet confirmed reading, newest first (one query), as
    rows of `CARD_COLUMNS` (the home page shows their cards)."""
    read = select(ReadAcknowledgement.article_id).where(ReadAcknowledgement.user_id == user.id)
    return list(
        db.session.execute(
            select(*CARD_COLUMNS)
            .where(
                audience_condition(user),
                Article.status == ArticleStatus.PUBLISHED,
                Article.kind == ArticleKind.BULLETIN,
                Article.id.not_in(read),
            )
            .order_by(Article.published_at.desc())
            .limit(limit)
        )
    )


def articles_for_service(user: User, service_id: int) -> list[Article]:
    """Published articles meant for `service_id` that `user` may read (for pathways)."""
    return list(
        db.session.scalars(
            select(Article)
            .where(
                audience_condition(user),
                Article.status == ArticleStatus.PUBLISHED,
                or_(Article.service_id.is_(None), Article.service_id == service_id),
            )
            .order_by(Article.title)
        )
    )


def available_article(user: User, service_id: int, article_id: int | None) -> Article:
    """One published article that fits `service_id`'s pathway, or 404."""
    found = next((a for a in articles_for_service(user, service_id) if a.id == article_id), None)
    if found is None:
        abort(404)
    return found


def bulletins_for_report(user: User, report_id: int) -> list[Article]:
    """Published bulletins made from one report that `user` may read (for "My reports")."""
    return list(
        db.session.scalars(
            select(Article)
            .where(
                Article.report_id == report_id,
                Article.kind == ArticleKind.BULLETIN,
                Article.status == ArticleStatus.PUBLISHED,
                audience_condition(user),
            )
            .order_by(Article.published_at)
        )
    )


def bulletins_for_reports(user: User, report_ids: list[int]) -> dict[int, list]:
    """Published bulletins made from each of `report_ids` that `user` may read, by report id,
    as rows of report_id, slug and title (what "My reports" links to).

    One query however many reports (for "My reports"); reports without a bulletin are left out.
    """
    found: dict[int, list] = {}
    if not report_ids:
        return found
    for article in db.session.execute(
        select(Article.report_id, Article.slug, Article.title)
        .where(
            Article.report_id.in_(report_ids),
            Article.kind == ArticleKind.BULLETIN,
            Article.status == ArticleStatus.PUBLISHED,
            audience_condition(user),
        )
        .order_by(Article.published_at, Article.id)
    ):
        found.setdefault(article.report_id, []).append(article)
    return found
