"""Lines for the managers' weekly digest: learning bulletins the team has not read yet.

Counts and bulletin titles only (bulletins are de-identified before publishing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Article, ArticleKind, ArticleStatus, ReadAcknowledgement, Service, User
from app.notifications.digest import digest_section

# Bulletins older than this are no longer chased in the digest.
RECENT = timedelta(weeks=12)
SHOWN = 3


@digest_section(order=50)
def unread_bulletins(service: Service, _since: datetime, today: date) -> list[str]:
    """Recent published bulletins for the service that some of its active staff have not read."""
    team = db.session.scalar(
        select(func.count()).select_from(User).where(User.service_id == service.id, User.active)
    )
    if not team:
        return []
    cutoff = datetime.combine(today, time.min, tzinfo=UTC) - RECENT
    readers = (
        select(func.count(func.distinct(ReadAcknowledgement.user_id)))
        .join(User, User.id == ReadAcknowledgement.user_id)
        .where(
            ReadAcknowledgement.article_id == Article.id,
            User.service_id == service.id,
            User.active,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Article.title, readers)
        .where(
            Article.organisation_id == service.organisation_id,
            or_(Article.service_id.is_(None), Article.service_id == service.id),
            Article.kind == ArticleKind.BULLETIN,
            Article.status == ArticleStatus.PUBLISHED,
            Article.published_at >= cutoff,
            readers < team,
        )
        .order_by(Article.published_at.desc())
    ).all()
    if not rows:
        return []
    lines = [
        f"Learning bulletin \u201c{title}\u201d: {team - read} of {team} staff still to read it."
        for title, read in rows[:SHOWN]
    ]
    if len(rows) > SHOWN:
        lines.append(f"{len(rows) - SHOWN} more bulletins are not yet read by everyone.")
    return lines
