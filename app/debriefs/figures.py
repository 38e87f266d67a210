"""Figures from debriefs and unsafe workarounds: do teams stop and talk after incidents, do
leaders come to the serious ones, and are the unsafe workarounds staff raise put right?"""

from __future__ import annotations

from sqlalchemy import func, select

from app.debriefs.services import LeaderAttendance
from app.extensions import db
from app.governance.figures import Figure, Scope, counts_by_month, figure, monthly, trend_reading
from app.governance.sql import month_of
from app.models import Debrief, WorkaroundFlag, WorkaroundStatus


@figure(order=60)
def debriefs_held(scope: Scope) -> Figure:
    """Debriefs held each month, those about serious harm, and those a leader attended."""
    month = month_of(Debrief.held_on).label("month")
    serious = Debrief.needs_leader.is_(True)
    rows = db.session.execute(
        select(
            month,
            func.count().label("held"),
            func.count().filter(serious).label("serious"),
            func.count().filter(serious, Debrief.leader_attended.is_(True)).label("led"),
        )
        .where(Debrief.service_id.in_(scope.service_ids), scope.dates_in_range(Debrief.held_on))
        .group_by(month)
    ).all()
    series = monthly(
        scope,
        {
            "Debriefs held": {r.month: r.held for r in rows},
            "About moderate harm or worse": {r.month: r.serious for r in rows},
            "A leader attended": {r.month: r.led for r in rows},
        },
    )
    # The same debriefs `leader_attendance` counts (needing a leader, held in the range),
    # summed from the rows above rather than asked for again.
    attendance = LeaderAttendance(
        held=sum(r.serious for r in rows), with_leader=sum(r.led for r in rows)
    )
    if attendance.held:
        leaders = (
            f"A leader attended {attendance.with_leader} of {attendance.held} debriefs about "
            f"moderate harm or worse ({attendance.percent}%)."
        )
    else:
        leaders = "No debriefs about moderate harm or worse in this period."
    return Figure(
        key="debriefs",
        title="Debriefs held, and leaders at debriefs about serious harm",
        reading=trend_reading("Debriefs", series[0].values) + " " + leaders,
        months=scope.months,
        series=series,
        headline=f"{attendance.percent}%" if attendance.held else None,
        headline_label="of debriefs about serious harm had a leader there",
        extra_rows=[
            ("Debriefs held", str(sum(series[0].values))),
            ("About moderate harm or worse", str(attendance.held)),
            ("A leader attended", str(attendance.with_leader)),
        ],
        quality_statement="Learning culture",
        evidence_category="Feedback from staff and leaders",
    )


@figure(order=130)
def unsafe_workarounds(scope: Scope) -> Figure:
    """Unsafe workarounds raised and resolved each month; how many raised in the range are
    still open."""
    month = month_of(WorkaroundFlag.raised_at).label("month")
    raised_rows = db.session.execute(
        select(
            month,
            func.count().label("raised"),
            func.count().filter(WorkaroundFlag.status != WorkaroundStatus.RESOLVED).label("open"),
        )
        .where(
            WorkaroundFlag.service_id.in_(scope.service_ids),
            scope.in_range(WorkaroundFlag.raised_at),
        )
        .group_by(month)
    ).all()
    raised = {r.month: r.raised for r in raised_rows}
    open_now = sum(r.open for r in raised_rows)  # of those raised in the range, still open
    resolved = counts_by_month(
        scope, WorkaroundFlag.resolved_at, WorkaroundFlag.status == WorkaroundStatus.RESOLVED
    )
    series = monthly(scope, {"Raised": raised, "Resolved": resolved})
    total_raised, total_resolved = sum(series[0].values), sum(series[1].values)
    return Figure(
        key="workarounds",
        title="Unsafe workarounds raised and resolved",
        reading=(
            f"{total_raised} raised and {total_resolved} resolved in this period; "
            f"{open_now} of those raised still open. "
            + trend_reading("Workarounds raised", series[0].values)
        ),
        months=scope.months,
        series=series,
        headline=str(open_now),
        headline_label="unsafe workarounds still open",
        extra_rows=[
            ("Raised", str(total_raised)),
            ("Resolved", str(total_resolved)),
            ("Still open (of those raised)", str(open_now)),
        ],
        quality_statement="Learning, improvement and innovation",
        evidence_category="Feedback from staff and leaders",
    )
