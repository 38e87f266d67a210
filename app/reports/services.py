"""Submitting a safety report: the one place its rules live (see /work/report-contract.md).

The HTML form and the offline JSON API both call `submit_report`. A repeat with the same
`client_id` and the same answers returns the stored report; the same `client_id` with
different answers raises `ClientIdConflict`; exactly one record ever exists per `client_id`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.api.idempotency import IdempotencyConflict, create_once
from app.audit import log_event
from app.extensions import db
from app.models import (
    Category,
    PhysicalHarm,
    PsychologicalHarm,
    Report,
    ReportKind,
    TimeBracket,
    User,
)

UK = ZoneInfo("Europe/London")
YES = {"y", "on", "true", "yes", "1"}
KINDS = (ReportKind.NEAR_MISS, ReportKind.INCIDENT)
DESCRIPTION_LIMIT = 5000
SHORT_LIMITS = {"location": 200, "person_reference": 40}


class ReportInvalid(ValueError):
    """Bad input. `errors` maps a field name to a list of plain-English messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("The report has answers to check.")
        self.errors = errors


class ClientIdConflict(ValueError):
    """The client_id was already used for a report with a different body."""


@dataclass
class SubmissionResult:
    report: Report
    receipt_code: str | None
    created: bool


def _text(answers: Mapping[str, Any], name: str) -> str:
    value = answers.get(name)
    return value.strip() if isinstance(value, str) else ""


def _choice(answers, name, enum_class, errors, message, *, allowed=None, default=None):
    raw = _text(answers, name)
    if not raw:
        if default is None:
            errors[name] = [message]
        return default
    try:
        value = enum_class(raw)
    except ValueError:
        value = None
    if value is None or (allowed is not None and value not in allowed):
        errors[name] = [message]
    return value


def _clean(answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    out["description"] = _text(answers, "description")
    if not out["description"]:
        errors["description"] = ["Tell us what happened, in your own words."]
    elif len(out["description"]) > DESCRIPTION_LIMIT:
        errors["description"] = [f"Please keep this under {DESCRIPTION_LIMIT} characters."]
    out["kind"] = _choice(
        answers, "kind", ReportKind, errors, "Choose near miss or incident.", allowed=KINDS
    )
    out["category"] = _choice(answers, "category", Category, errors, "Choose what it was about.")
    out["time_bracket"] = _choice(
        answers,
        "time_bracket",
        TimeBracket,
        errors,
        "Choose when it happened.",
        default=TimeBracket.EXACT,
    )
    now = datetime.now(UK)
    out["occurred_at"] = None
    out["occurred_on"] = now.date()
    if out["time_bracket"] is TimeBracket.EXACT:
        raw = _text(answers, "occurred_at")
        local = now.replace(second=0, microsecond=0)
        if raw:
            try:
                local = datetime.strptime(raw, "%Y-%m-%dT%H:%M").replace(tzinfo=UK)
            except ValueError:
                errors["occurred_at"] = ["Enter the date and time, like 2026-03-14 09:30."]
        if local > now:
            errors["occurred_at"] = ["That time is in the future. Check the date and time."]
        out["occurred_at"] = local.astimezone(UTC)
        out["occurred_on"] = local.date()
    elif raw := _text(answers, "occurred_on"):
        try:
            out["occurred_on"] = date.fromisoformat(raw)
        except ValueError:
            errors["occurred_on"] = ["Enter the date, like 2026-03-14."]
    out["physical_harm"] = (
        _choice(
            answers,
            "physical_harm",
            PhysicalHarm,
            errors,
            "Choose how much physical harm there was.",
            default=None if out["kind"] is ReportKind.INCIDENT else "",
        )
        or None
    )
    out["psychological_harm"] = (
        _choice(
            answers,
            "psychological_harm",
            PsychologicalHarm,
            errors,
            "Choose a level of distress.",
            default="",
        )
        or None
    )
    for name, limit in SHORT_LIMITS.items():
        out[name] = _text(answers, name) or None
        if out[name] and len(out[name]) > limit:
            errors[name] = [f"Please keep this under {limit} characters."]
    out["immediate_action"] = _text(answers, "immediate_action") or None
    out["follow_up"] = {
        key.removeprefix("follow_up_"): value.strip()
        for key, value in answers.items()
        if key.startswith("follow_up_") and isinstance(value, str) and value.strip()
    }
    anonymous = answers.get("anonymous")
    out["anonymous"] = anonymous is True or (
        isinstance(anonymous, str) and anonymous.lower() in YES
    )
    return out, errors


def submit_report(
    reporter: User,
    answers: Mapping[str, Any],
    *,
    client_id: str | None = None,
    device_time: datetime | None = None,
    channel: str = "web",
) -> SubmissionResult:
    """Validate and store one report, at most once per `client_id`.

    The report belongs to the reporter's service. An anonymous report keeps no reporter and
    no actor in the audit trail; its reporter gets a receipt code, shown once.
    """
    cleaned, errors = _clean(answers)
    receipt: list[str] = []

    def build(digest: str) -> Report:
        if errors:
            raise ReportInvalid(errors)
        anonymous = cleaned.pop("anonymous")
        report = Report(
            service_id=reporter.service_id,
            reporter_id=None if anonymous else reporter.id,
            anonymous=anonymous,
            client_id=client_id,
            payload_hash=digest,
            device_time=device_time,
            **cleaned,
        )
        if anonymous:
            code = secrets.token_hex(4).upper()
            receipt.append(code)
            report.receipt_hash = hashlib.sha256(code.encode()).hexdigest()
        db.session.add(report)
        db.session.flush()
        log_event(
            "report.submitted",
            report,
            summary={"kind": report.kind.value, "category": report.category.value},
            anonymous=anonymous,
            channel=channel,
        )
        return report

    def same_reporter(existing: Report) -> bool:
        return existing.anonymous or existing.reporter_id == reporter.id

    payload = {key: value for key, value in answers.items() if key != "csrf_token"}
    try:
        report, created = create_once(Report, client_id, payload, build, owner_check=same_reporter)
    except IdempotencyConflict as conflict:
        raise ClientIdConflict(str(conflict)) from conflict
    return SubmissionResult(report, receipt[0] if receipt and created else None, created)
