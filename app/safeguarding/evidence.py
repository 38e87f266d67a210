"""What safeguarding puts in the evidence pack: which restrictions were used, how often, and
how many were unplanned."""

from __future__ import annotations

from app.governance.evidence import EvidenceItem, evidence_items
from app.governance.figures import Scope
from app.governance.sql import as_percent
from app.safeguarding.queries import restrictive_practice_by_month, restrictive_practice_summary


@evidence_items("Safeguarding", order=80)
def restrictive_practice_themes(scope: Scope) -> list[EvidenceItem]:
    """Which restrictions were used, how often, and how many were unplanned."""
    summary = restrictive_practice_summary(scope.service_ids, scope.start, scope.end)
    if not summary.total:
        return []
    totals: dict = {}
    for row in restrictive_practice_by_month(scope.service_ids, scope.start, scope.end):
        totals[row.restraint_type] = totals.get(row.restraint_type, 0) + row.count
    items = [
        EvidenceItem(
            "Restrictive practice: overview",
            f"{summary.total} restrictions recorded; {summary.unplanned} unplanned "
            f"({as_percent(summary.unplanned, summary.total)}%). "
            + (
                f"Where the person lacked capacity, {summary.with_best_interests} of "
                f"{summary.needing_best_interests} had a best-interests decision recorded."
                if summary.needing_best_interests
                else "None recorded where the person lacked capacity."
            ),
            "Outcomes",
        )
    ]
    items += [
        EvidenceItem(
            f"Restrictive practice: {kind.short_label}",
            f"{count} of {summary.total} restrictions ({as_percent(count, summary.total)}%).",
            "Outcomes",
        )
        for kind, count in sorted(totals.items(), key=lambda x: (-x[1], x[0].label))
    ]
    return items
