"""The induction pathway: each service's ordered reading list for new starters.

A person is "in induction" from `User.started_on` for LIBRARY_INDUCTION_WEEKS (12 by default).
Staff see their own progress; managers and admins see each new starter in their services.
Progress counts an article as read only when its current version was confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app.auth.policy import in_scope
from app.extensions import db
from app.models import (
    Article,
    ArticleStatus,
    InductionStep,
    ReadAcknowledgement,
    User,
)
from app.models.base import uk_today
from app.validation import Invalid

DEFAULT_WEEKS = 12


def induction_weeks() -> int:
    return int(current_app.config.get("LIBRARY_INDUCTION_WEEKS", DEFAULT_WEEKS))


def induction_ends(user: User) -> date | None:
    if user.started_on is None:
        return None
    return user.started_on + timedelta(weeks=induction_weeks())


def in_induction(user: User, today: date | None = None) -> bool:
    ends = induction_ends(user)
    today = today or uk_today()
    return ends is not None and user.started_on <= today < ends


@dataclass
class PathwayItem:
    article: Article
    read: bool
    read_earlier_version: bool


@dataclass
class Pathway:
    items: list[PathwayItem]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.read)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def next_item(self) -> PathwayItem | None:
        return next((item for item in self.items if not item.read), None)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def steps_for_service(service_id: int) -> list[InductionStep]:
    """A service's published pathway articles in order (one query)."""
    return list(
        db.session.scalars(
            select(InductionStep)
            .join(Article, Article.id == InductionStep.article_id)
            .where(
                InductionStep.service_id == service_id,
                Article.status == ArticleStatus.PUBLISHED,
            )
            .options(joinedload(InductionStep.article))
            .order_by(InductionStep.position, InductionStep.id)
        )
    )


def pathway_for(user: User) -> Pathway:
    """`user`'s reading list with what they have read (two queries)."""
    steps = steps_for_service(user.service_id)
    acks = _versions_read([user.id], [s.article_id for s in steps])
    return _pathway(steps, acks.get(user.id, {}))


def _pathway(steps: list[InductionStep], read: dict[int, set[int]]) -> Pathway:
    items = []
    for step in steps:
        versions = read.get(step.article_id, set())
        items.append(
            PathwayItem(
                article=step.article,
                read=step.article.version in versions,
                read_earlier_version=bool(versions) and step.article.version not in versions,
            )
        )
    return Pathway(items)


def _versions_read(user_ids: list[int], article_ids: list[int]) -> dict[int, dict[int, set[int]]]:
    """{user id: {article id: versions confirmed}}."""
    found: dict[int, dict[int, set[int]]] = {}
    if not user_ids or not article_ids:
        return found
    rows = db.session.execute(
        select(
            ReadAcknowledgement.user_id,
            ReadAcknowledgement.article_id,
            ReadAcknowledgement.version,
        ).where(
            ReadAcknowledgement.user_id.in_(user_ids),
            ReadAcknowledgement.article_id.in_(article_ids),
        )
    )
    for user_id, article_id, version in rows:
        found.setdefault(user_id, {}).setdefault(article_id, set()).add(version)
    return found


@dataclass
class StarterProgress:
    person: User
    pathway: Pathway
    ends: date


def new_starters_progress(manager: User, today: date | None = None) -> list[StarterProgress]:
    """Each active person in `manager`'s services who is within their induction period.

    A fixed number of queries: people, each service's steps, and one for all their reading.
    """
    today = today or uk_today()
    earliest_start = today - timedelta(weeks=induction_weeks()) + timedelta(days=1)
    people = list(
        db.session.scalars(
            select(User)
            .where(
                in_scope(manager, User.service_id),
                User.active.is_(True),
                and_(User.started_on.is_not(None), User.started_on >= earliest_start),
                User.started_on <= today,
            )
            .options(joinedload(User.service))
            .order_by(User.started_on.desc(), User.name)
        )
    )
    steps_by_service = {sid: steps_for_service(sid) for sid in {p.service_id for p in people}}
    article_ids = list({s.article_id for steps in steps_by_service.values() for s in steps})
    read = _versions_read([p.id for p in people], article_ids)
    return [
        StarterProgress(
            person=person,
            pathway=_pathway(steps_by_service[person.service_id], read.get(person.id, {})),
            ends=induction_ends(person),
        )
        for person in people
    ]


def pathway_position(user: User, article: Article) -> tuple[int, int] | None:
    """(position, total) of `article` in `user`'s pathway, or None when it is not in it."""
    steps = steps_for_service(user.service_id)
    for index, step in enumerate(steps, start=1):
        if step.article_id == article.id:
            return index, len(steps)
    return None


def set_pathway(service_id: int, articles: list[Article]) -> None:
    """Replace a service's pathway with `articles`, in that order."""
    existing = {
        s.article_id: s
        for s in db.session.scalars(
            select(InductionStep).where(InductionStep.service_id == service_id)
        )
    }
    wanted = [a.id for a in articles]
    for article_id, step in existing.items():
        if article_id not in wanted:
            db.session.delete(step)
    for position, article in enumerate(articles, start=1):
        step = existing.get(article.id)
        if step is None:
            db.session.add(
                InductionStep(service_id=service_id, article_id=article.id, position=position)
            )
        else:
            step.position = position
    db.session.flush()


# -- managers change their service's pathway ---------------------------------------------------


class PathwayChange(Invalid):
    """A change to a pathway that cannot be made; the message is for the manager."""


def all_steps(service_id: int) -> list[InductionStep]:
    """Every step, drafts included, in order (for the managers' page)."""
    return list(
        db.session.scalars(
            select(InductionStep)
            .where(InductionStep.service_id == service_id)
            .options(joinedload(InductionStep.article))
            .order_by(InductionStep.position, InductionStep.id)
        )
    )


def change_pathway(service_id: int, change: str, article: Article) -> None:
    """Apply one change: "add" (at the end), "up", "down" or "remove"."""
    from app.audit import log_event

    articles = [step.article for step in all_steps(service_id)]
    if change == "add":
        if article in articles:
            raise PathwayChange("That article is already on the list.")
        articles.append(article)
    elif article not in articles:
        raise PathwayChange("That article is not on the list.")
    elif change == "remove":
        articles.remove(article)
    elif change in ("up", "down"):
        index = articles.index(article)
        other = index - 1 if change == "up" else index + 1
        if 0 <= other < len(articles):
            articles[index], articles[other] = articles[other], articles[index]
    else:
        raise PathwayChange("Choose what to change.")
    set_pathway(service_id, articles)
    log_event(
        "induction.pathway_changed",
        article,
        summary={"change": change, "slug": article.slug},
        service_id=service_id,
    )
