"""Anonymous reports: held when sent, released to managers later, in shuffled batches.

Why: a manager or admin who can see the report list, the audit trail or the database, and who
knows the rota, could otherwise match an anonymous report to its sender by its moment: a
number one above the named report the same phone sent 6 ms before it, an audit entry right
after the sender's own sign-in, a creation time to the second. So at the moment it is sent an
anonymous report touches nothing a manager can see. It waits in `held_report` (no reporter, no
exact time, no request detail) until a random point within the release window
(`ANONYMOUS_RELEASE_MINUTES`, default 15) after it was sent. Then it joins `report` with:

- a random number (`random_report_id`, like every report), so no number orders it;
- as its creation time the start of the window it was sent in (`sent_window_for`), so the
  list shows it below every named report of that window, whichever it followed;
- an audit entry made by the system: no person, no request id, address, device or session;
- the usual consequences, fired at release: repeat detection (counted, though not linked to
  the earlier report, which could be its sender's own named one), the dashboard's rollups, the
  `report_submitted` signal and so the alert rules.

Serious harm and safeguarding are released on the same terms: never later than the window
allows. Two things run the release, so it happens even if one stops: `flask --app wsgi
reports release-anonymous` from cron every minute, and a check made at most once a minute
by each app process on an ordinary signed-in page (`release_from_requests`).

What remains (docs/security.md, "Anonymous reports: the threat model"): on a shift of two,
"one of the two" is all anonymity can ever mean; the wording of a report can give its writer
away; the window only blurs the time to a quarter of an hour.
"""

from __future__ import annotations

import random
import secrets
import threading
from datetime import UTC, date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.audit import log_event
from app.events import report_submitted
from app.extensions import db
from app.governance import rollups
from app.models.base import utcnow
from app.models.reports import (
    Category,
    HeldReport,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportKind,
    ReportStatus,
    TimeBracket,
    random_report_id,
)

DEFAULT_RELEASE_MINUTES = 15
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ENUMS = {
    "kind": ReportKind,
    "category": Category,
    "time_bracket": TimeBracket,
    "physical_harm": PhysicalHarm,
    "psychological_harm": PsychologicalHarm,
}
# Draws of release times and batch order: not security-critical randomness, but there is no
# reason to make them predictable either.
_chance = random.SystemRandom()


def release_window() -> timedelta:
    minutes = DEFAULT_RELEASE_MINUTES
    if has_app_context():
        minutes = int(current_app.config.get("ANONYMOUS_RELEASE_MINUTES", minutes))
    return timedelta(minutes=minutes)


def sent_window_for(moment: datetime) -> datetime:
    """The start of the release window `moment` falls in (windows start at midnight UTC)."""
    size = int(release_window().total_seconds())
    seconds = int((moment - _EPOCH).total_seconds())
    return _EPOCH + timedelta(seconds=seconds - seconds % size)


def release_time_for(sent: datetime) -> datetime:
    """A random point in the window after `sent`: at most one window later, never earlier."""
    window = release_window().total_seconds()
    return sent + timedelta(seconds=_chance.uniform(0, window))


# ---- holding ------------------------------------------------------------------------------


def _to_json(values: dict) -> dict:
    stored = {}
    for name, value in values.items():
        if isinstance(value, datetime | date):
            stored[name] = value.isoformat()
        elif hasattr(value, "value"):
            stored[name] = value.value
        else:
            stored[name] = value
    return stored


def _from_json(stored: dict) -> dict:
    values = dict(stored)
    for name, enum_class in _ENUMS.items():
        if values.get(name) is not None:
            values[name] = enum_class(values[name])
    if values.get("occurred_at"):
        values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
    if values.get("occurred_on"):
        values["occurred_on"] = date.fromisoformat(values["occurred_on"])
    return values


def hold(
    service_id: int,
    values: dict,
    *,
    receipt_hash: str,
    client_id: str | None,
    payload_hash: str,
    now: datetime,
) -> HeldReport:
    """Keep an anonymous report until its release (added to the session, not committed).

    Nothing else is written: no audit entry, no count, no signal. The device's clock is not
    kept either, since it would date the sending to the second.
    """
    held = HeldReport(
        id=secrets.token_hex(16),
        service_id=service_id,
        values=_to_json(values),
        sent_window=sent_window_for(now),
        release_after=release_time_for(now),
        receipt_hash=receipt_hash,
        client_id=client_id,
        payload_hash=payload_hash,
    )
    db.session.add(held)
    return held


def held_for_client(client_id: str) -> HeldReport | None:
    return db.session.scalars(select(HeldReport).where(HeldReport.client_id == client_id)).first()


def held_for_receipt(receipt_hash: str) -> HeldReport | None:
    return db.session.scalars(
        select(HeldReport).where(HeldReport.receipt_hash == receipt_hash)
    ).first()


def preview(held: HeldReport) -> Report:
    """An unsaved Report with the held answers, for the thank-you page (never added)."""
    return Report(
        **_from_json(held.values), service_id=held.service_id, anonymous=True, reporter_id=None
    )


# ---- release ------------------------------------------------------------------------------


def unused_report_id() -> int:
    """A random report number no report has yet."""
    while True:
        candidate = random_report_id()
        if db.session.get(Report, candidate) is None:
            return candidate


def _released(held: HeldReport, now: datetime) -> Report:
    from app.reports.services import find_repeat

    values = _from_json(held.values)
    taken = db.session.scalar(select(Report.id).where(Report.receipt_hash == held.receipt_hash))
    report = Report(
        **values,
        id=unused_report_id(),
        service_id=held.service_id,
        reporter_id=None,
        anonymous=True,
        # A code already answering another report (two sendings racing) must not block the
        # batch: the report still reaches managers, without a code of its own.
        receipt_hash=None if taken else held.receipt_hash,
        status=ReportStatus.NEW,
        created_at=held.sent_window,
        device_time=None,
        client_id=held.client_id,
        payload_hash=held.payload_hash,
        contributory_factors=[],
        candour_steps={},
    )
    # Counted as a repeat in every figure, but not linked to the earlier report: that link
    # could point at the named report its sender sent about the same event a moment before.
    report.is_repeat = (
        find_repeat(held.service_id, values.get("person_reference"), values["category"], now)
        is not None
    )
    return report


def release_due(now: datetime | None = None) -> int:
    """Release every held report whose time has come, in one shuffled batch; return how many.

    Safe to run from several processes at once: a second run that meets the same rows gives
    way (its insert or delete fails and is rolled back) and the first run's batch stands.
    """
    now = now or utcnow()
    query = select(HeldReport).where(HeldReport.release_after <= now)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = list(db.session.scalars(query))
    if not due:
        db.session.rollback()  # ends the read transaction (SQLite keeps a snapshot otherwise)
        return 0
    _chance.shuffle(due)
    released = []
    try:
        for held in due:
            report = _released(held, now)
            db.session.delete(held)
            db.session.flush()  # the held row goes first: its receipt and client id move over
            db.session.add(report)
            rollups.count_new([report])  # flushes the report first
            log_event(
                "report.submitted",
                report,
                summary={**report.audit_summary(), "anonymous": True},
                system=True,
            )
            released.append(report)
        db.session.commit()
    except (IntegrityError, OperationalError):
        db.session.rollback()  # another process released them first
        return 0
    for report in released:
        report_submitted.send(report)
    return len(released)


# ---- the check on ordinary requests -------------------------------------------------------

_CHECK_EVERY = timedelta(minutes=1)
_last_check: dict[str, datetime] = {}
_check_lock = threading.Lock()


def request_check_due(now: datetime | None = None) -> bool:
    """Whether a minute has passed since this process last checked (memory only, no lock: a
    stale read costs at most one extra look, which `release_from_requests` refuses anyway)."""
    last = _last_check.get("at")
    return last is None or (now or utcnow()) - last >= _CHECK_EVERY


def release_from_requests() -> None:
    """Called before ordinary signed-in pages: release what is due, at most once a minute per
    process, so reports reach managers even when cron is not running. Any failure is logged
    and the page goes on.

    Why checking only once a minute keeps anonymity: when a report is released is set by its
    random `release_after`, drawn when it was sent; this check only decides how soon after
    that moment it happens (within a minute here, as with cron every minute). Which request
    happens to trigger it, and whose, says nothing about the sender, and nothing of that
    request is recorded with the report (the audit entry is the system's)."""
    now = utcnow()
    with _check_lock:
        last = _last_check.get("at")
        if last is not None and now - last < _CHECK_EVERY:
            return
        _last_check["at"] = now
    try:
        release_due(now)
        from app.reports import conversation  # conversation imports this module

        conversation.release_due(now)  # the reporters' messages, on the same terms
    except Exception:  # noqa: BLE001 - a page must never fail because of the release
        db.session.rollback()
        current_app.logger.exception("Could not release held anonymous reports")


def reset_request_check() -> None:
    """Forget when the last check ran (tests move the clock back and forth)."""
    with _check_lock:
        _last_check.clear()
