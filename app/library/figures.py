"""Figures about learning: new starters' induction reading.

Induction follows app/library/induction.py: a step counts as read only at its current version.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select

from app.extensions import db
from app.governance.figures import Figure, Scope, figure, headline, monthly, today
from app.governance.sql import as_percent, month_of
from app.library.induction import induction_weeks
from app.models import Article, ArticleStatus, InductionStep, ReadAcknowledgement, User


@figure(order=120)
def induction_completion(scope: Scope) -> Figure:
    """New starters (by the month they started) who have read every step of their service's
    induction pathway at its current version."""
    weeks = induction_weeks()
    steps = (
        select(InductionStep.service_id, func.count().label("total"))
        .join(Article, Article.id == InductionStep.article_id)
        .where(
            InductionStep.service_id.in_(scope.service_ids),
            Article.status == ArticleStatus.PUBLISHED,
        )
        .group_by(InductionStep.service_id)
        .subquery()
    )
    read = (
        select(
            ReadAcknowledgement.user_id,
            InductionStep.service_id,
            func.count(func.distinct(InductionStep.article_id)).label("done"),
        )
        .join(Article, Article.id == ReadAcknowledgement.article_id)
        .join(InductionStep, InductionStep.article_id == Article.id)
        .where(
            InductionStep.service_id.in_(scope.service_ids),
            Article.status == ArticleStatus.PUBLISHED,
            ReadAcknowledgement.version == Article.version,
        )
        .group_by(ReadAcknowledgement.user_id, InductionStep.service_id)
        .subquery()
    )
    total = func.coalesce(steps.c.total, 0)
    complete = and_(total > 0, func.coalesce(read.c.done, 0) >= total)
    still_in_induction = User.started_on > today() - timedelta(weeks=weeks)
    month = month_of(User.started_on).label("month")
    rows = db.session.execute(
        select(
            month,
            func.count(User.id).label("started"),
            func.count(User.id).filter(complete).label("complete"),
            func.count(User.id).filter(~complete, still_in_induction).label("reading"),
        )
        .select_from(User)
        .outerjoin(steps, steps.c.service_id == User.service_id)
        .outerjoin(read, and_(read.c.user_id == User.id, read.c.service_id == User.service_id))
        .where(
            User.service_id.in_(scope.service_ids),
            User.active.is_(True),
            scope.dates_in_range(User.started_on),
            User.started_on <= today(),
        )
        .group_by(month)
    ).all()
    series = monthly(
        scope,
        {
            "Started": {r.month: r.started for r in rows},
            "Finished the induction reading": {r.month: r.complete for r in rows},
        },
    )
    started = sum(r.started for r in rows)
    complete_count = sum(r.complete for r in rows)
    reading_now = sum(r.reading for r in rows)
    percent = as_percent(complete_count, started)
    if started:
        text = (
            f"{complete_count} of {started} people who started in this period have finished "
            f"their induction reading ({percent}%); {reading_now} more "
            f"{'is' if reading_now == 1 else 'are'} still in their first {weeks} weeks."
        )
    else:
        text = "Nobody started in this period."
    return Figure(
        key="induction",
        title="New starters and their induction reading",
        reading=text,
        months=scope.months,
        series=series,
        headline=headline(percent),
        headline_label="of new starters finished their induction reading",
        extra_rows=[
            ("Started", str(started)),
            ("Finished the reading", str(complete_count)),
            (f"Still in their first {weeks} weeks", str(reading_now)),
        ],
        quality_statement="Safe and effective staffing",
        evidence_category="Processes",
    )
