"""Figures drawn from reports and actions: is reporting rising, is repeat harm falling, do
reporters hear back?"""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.governance.figures import (
    Figure,
    Scope,
    Series,
    counts_by_month,
    figure,
    fmt,
    monthly,
    today,
    trend_reading,
)
from app.governance.rollups import median_days_to_feedback, rollup_counts
from app.governance.sql import as_percent
from app.models import Action, Category, ReportKind

# Report figures read the monthly rollups (app/governance/rollups.py): one query for a few
# hundred rows whatever the number of reports, shared by every report figure. Actions are
# few, so they are still counted directly.


@figure(order=10)
def reports_each_month(scope: Scope) -> Figure:
    counts = rollup_counts(scope, split=lambda row: row.harm_band)
    by_band = {"near_miss": {}, "incident": {}, "serious": {}}
    for (month, band), n in counts.items():
        by_band[band][month] = n
    series = monthly(
        scope,
        {
            "Near misses": by_band["near_miss"],
            "Incidents, no or low harm": by_band["incident"],
            "Incidents, moderate harm or worse": by_band["serious"],
        },
    )
    totals = [sum(values) for values in zip(*(s.values for s in series), strict=True)]
    near_misses = series[0].values
    return Figure(
        key="reports",
        title="Reports each month",
        reading=trend_reading("Reports", totals) + " " + trend_reading("Near misses", near_misses),
        months=scope.months,
        series=series,
        chart="stacked",
        headline=fmt(sum(totals)),
        headline_label="reports in this period",
        evidence_category="Feedback from staff and leaders",
    )


@figure(order=20)
def near_miss_share(scope: Scope) -> Figure:
    counts = rollup_counts(scope, split=lambda row: row.kind == ReportKind.NEAR_MISS)
    share = {}
    for month in scope.months:
        near, other = counts.get((month, True), 0), counts.get((month, False), 0)
        share[month] = as_percent(near, near + other)
    values = [share[m] for m in scope.months]
    near_total = sum(n for (m, is_near), n in counts.items() if is_near)
    overall = as_percent(near_total, sum(counts.values()))
    return Figure(
        key="near_miss_share",
        title="Near misses as a share of all reports",
        reading=trend_reading("Near-miss share", [v for v in values if v is not None], unit="%"),
        months=scope.months,
        series=[Series("Near-miss share (%)", values)],
        chart="line",
        unit="%",
        headline=f"{overall}%" if overall is not None else "–",
        headline_label="of reports were near misses",
    )


@figure(order=30)
def repeat_incidents(scope: Scope) -> Figure:
    counts = rollup_counts(scope, where=lambda row: row.is_repeat)
    series = monthly(scope, {"Repeat reports": counts})
    return Figure(
        key="repeats",
        title="Repeat reports (same person and kind of event within 30 days)",
        reading=trend_reading("Repeat reports", series[0].values),
        months=scope.months,
        series=series,
        quality_statement="Learning, improvement and innovation",
        evidence_category="Outcomes",
    )


@figure(order=40)
def medication_incidents(scope: Scope) -> Figure:
    counts = rollup_counts(
        scope,
        where=lambda row: row.category == Category.MEDICATION and row.kind == ReportKind.INCIDENT,
    )
    series = monthly(scope, {"Medication incidents": counts})
    return Figure(
        key="medication",
        title="Medication incidents each month",
        reading=trend_reading("Medication incidents", series[0].values),
        months=scope.months,
        series=series,
        quality_statement="Safe and effective staffing",
        evidence_category="Outcomes",
    )


@figure(order=50)
def feedback_to_reporters(scope: Scope) -> Figure:
    shared = rollup_counts(scope, split=lambda row: bool(row.learning_shared))
    share = {}
    for month in scope.months:
        yes, no = shared.get((month, True), 0), shared.get((month, False), 0)
        share[month] = as_percent(yes, yes + no)
    values = [share[m] for m in scope.months]
    median = median_days_to_feedback(scope)
    total_yes = sum(n for (m, yes), n in shared.items() if yes)
    overall = as_percent(total_yes, sum(shared.values()))
    median_text = f"{median:.1f} days" if median is not None else "no feedback yet"
    return Figure(
        key="feedback",
        title="Reports with learning shared with the reporter",
        reading=(
            trend_reading("Learning shared", [v for v in values if v is not None], unit="%")
            + f" Median time to first feedback: {median_text}."
        ),
        months=scope.months,
        series=[Series("Learning shared (%)", values)],
        chart="line",
        unit="%",
        headline=f"{overall}%" if overall is not None else "–",
        headline_label="of reports had learning shared",
        extra_rows=[("Median days to first feedback", median_text)],
        evidence_category="Feedback from staff and leaders",
    )


@figure(order=90)
def actions_open_and_overdue(scope: Scope) -> Figure:
    overdue = (Action.due_on < today()) & Action.done_at.is_(None)
    row = db.session.execute(
        select(
            func.count().filter(Action.done_at.is_(None)).label("open"),
            func.count().filter(overdue).label("overdue"),
            func.count().filter(Action.done_at.is_not(None)).label("done"),
        ).where(Action.service_id.in_(scope.service_ids), scope.in_range(Action.created_at))
    ).one()
    done = counts_by_month(scope, Action.done_at, Action.done_at.is_not(None))
    series = monthly(scope, {"Actions completed": done})
    return Figure(
        key="actions",
        title="Actions completed each month",
        reading=(
            f"{row.done} done, {row.open} open, {row.overdue} overdue. "
            + trend_reading("Actions completed", series[0].values)
        ),
        months=scope.months,
        series=series,
        headline=str(row.overdue),
        headline_label="actions overdue",
        quality_statement="Governance, management and sustainability",
        extra_rows=[
            ("Open", str(row.open)),
            ("Overdue", str(row.overdue)),
            ("Done", str(row.done)),
        ],
    )
