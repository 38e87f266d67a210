"""Figures from safeguarding: are restrictions falling and planned, and do concerns reach the
local authority quickly? The counting lives in app/safeguarding/queries.py; here we only shape
it into monthly series and a reading."""

from __future__ import annotations

from datetime import UTC, datetime

from app.governance.figures import (
    QUARTER,
    Figure,
    Scope,
    counts_by_month,
    figure,
    fmt,
    monthly,
    trend_reading,
)
from app.governance.sql import as_percent, days_between, median
from app.models import RestraintType, SafeguardingConcern
from app.models.base import add_months
from app.safeguarding.queries import (
    escalation_times,
    restrictive_practice_by_month,
    restrictive_practice_summary,
)
from app.safeguarding.services import escalation_hours

MOST_TYPES = 3  # the chart has four colours: the three commonest types, then "Other types"


def _month_start(month) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


@figure(order=70)
def restrictive_practices(scope: Scope) -> Figure:
    counts = restrictive_practice_by_month(scope.service_ids, scope.start, scope.end)
    totals: dict[RestraintType, int] = {}
    for row in counts:
        totals[row.restraint_type] = totals.get(row.restraint_type, 0) + row.count
    commonest = sorted(totals, key=lambda t: (-totals[t], t.label))[:MOST_TYPES]
    by_type: dict[str, dict[str, int]] = {t.short_label: {} for t in commonest}
    if len(totals) > MOST_TYPES:
        by_type["Other types"] = {}
    for row in counts:
        name = row.restraint_type.short_label if row.restraint_type in commonest else "Other types"
        by_type[name][row.month] = by_type[name].get(row.month, 0) + row.count
    series = monthly(scope, by_type) if by_type else monthly(scope, {"Restrictions": {}})
    month_totals = [sum(col) for col in zip(*(s.values for s in series), strict=True)]
    summary = restrictive_practice_summary(scope.service_ids, scope.start, scope.end)
    share = as_percent(summary.unplanned, summary.total)
    reading = trend_reading("Restrictive practices", month_totals)
    if summary.total:
        reading += f" {summary.unplanned} of {summary.total} were unplanned ({share}%)."
        reading += _unplanned_trend(scope)
    extra = [("All restrictions", str(summary.total)), ("Unplanned", str(summary.unplanned))]
    extra += [(t.short_label, str(n)) for t, n in sorted(totals.items(), key=lambda x: -x[1])]
    if summary.needing_best_interests:
        extra.append(
            (
                "Capacity lacking, best-interests decision recorded",
                f"{summary.with_best_interests} of {summary.needing_best_interests}",
            )
        )
    return Figure(
        key="restrictive_practice",
        title="Restrictive practices each month, by type",
        reading=reading,
        months=scope.months,
        series=series,
        chart="stacked",
        headline=f"{share}%" if share is not None else None,
        headline_label="of restrictions were unplanned",
        extra_rows=extra,
        quality_statement="Safeguarding",
        evidence_category="Outcomes",
    )


def _unplanned_trend(scope: Scope) -> str:
    """The unplanned share in the first and the last quarter of the range (two small queries)."""
    span = min(QUARTER, len(scope.months) // 2)
    if span == 0:
        return ""
    first = restrictive_practice_summary(
        scope.service_ids, scope.start, _month_start(add_months(scope.first_month, span))
    )
    last = restrictive_practice_summary(
        scope.service_ids, _month_start(add_months(scope.last_month, 1 - span)), scope.end
    )
    before, after = (as_percent(s.unplanned, s.total) for s in (first, last))
    if before is None or after is None:
        return ""
    return f" Unplanned share {before}% in the first {span} months, {after}% in the last {span}."


@figure(order=80)
def safeguarding_escalations(scope: Scope) -> Figure:
    sc = SafeguardingConcern
    raised = counts_by_month(scope, sc.raised_at)
    escalated = counts_by_month(scope, sc.escalated_at, sc.escalated_at.is_not(None))
    series = monthly(
        scope, {"Concerns raised": raised, "Escalated to the local authority": escalated}
    )
    limit = escalation_hours()  # SAFEGUARDING_ESCALATION_HOURS, as on the home page and alerts
    times = escalation_times(scope.service_ids, scope.start, scope.end, hours=limit)
    hours = median(
        days_between(sc.raised_at, sc.escalated_at) * 24,
        sc.service_id.in_(scope.service_ids),
        scope.in_range(sc.raised_at),
        sc.escalated_at.is_not(None),
    )
    median_text = f"{fmt(round(hours, 1))} hours" if hours is not None else "none escalated yet"
    if times.concerns:
        reading = (
            f"{times.escalated} of {times.concerns} concerns raised in this period were "
            f"escalated, {times.within_limit} within {limit:g} hours. "
            f"Median time to escalate: {median_text}."
        )
        if times.outstanding_over_limit:
            reading += f" {times.outstanding_over_limit} not escalated after {limit:g} hours."
    else:
        reading = "No safeguarding concerns raised in this period."
    return Figure(
        key="escalations",
        title="Safeguarding concerns and escalations each month",
        reading=reading + " " + trend_reading("Escalations", series[1].values),
        months=scope.months,
        series=series,
        headline=median_text if hours is not None else None,
        headline_label="median time to escalate a safeguarding concern",
        extra_rows=[
            ("Concerns raised", str(times.concerns)),
            ("Escalated", str(times.escalated)),
            (f"Escalated within {limit:g} hours", str(times.within_limit)),
            (f"Not escalated after {limit:g} hours", str(times.outstanding_over_limit)),
            ("Median time to escalate", median_text),
        ],
        quality_statement="Safeguarding",
        evidence_category="Processes",
    )
