"""JSON endpoints: thin, like the HTML views. Parse with a schema, call the same service the
HTML form calls, answer with a status the outbox acts on:

201 created · 200 a repeat of the same client_id and body (the same record) · 400 field
errors to fix · 401 signed out (JSON, never a redirect) · 403 not allowed (role or CSRF) ·
422 the same client_id with a different body. Refusals are answered by the two error handlers
below (`ValidationError` from the schemas, `Invalid` from the services), not in each view.
"""

from __future__ import annotations

from datetime import UTC

from flask import g, jsonify, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from app.api import bp
from app.api.openapi import build_openapi
from app.api.schemas import (
    ObservationIn,
    ObservationOut,
    ReflectionIn,
    ReflectionOut,
    ReportIn,
    ReportOut,
    SessionOut,
)
from app.auth.policy import can
from app.extensions import csrf, db
from app.models import Observation, ObservationStatus, ReportStatus
from app.pwa.offline import offline_urls
from app.reflections.services import save_reflection
from app.reports.schemas import ReportBody
from app.reports.services import submit_report
from app.schemas import flat_errors
from app.supervision.observations import ObservationInvalid, record_observation_once
from app.sync import ClientIdConflict
from app.validation import Invalid

csrf.exempt(bp)  # checked below, after the sign-in check, so signed out is always a 401

SIGN_IN_AGAIN = "Please sign in again. Nothing you saved on this device has been lost."
PUBLIC_ENDPOINTS = {"api.openapi"}


def error(status: int, message: str, **extra):
    return jsonify(error=message, **extra), status


@bp.before_request
def signed_in_with_csrf():
    g.channel = "sync"
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return error(401, SIGN_IN_AGAIN, sign_in=url_for("auth.login"))
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        try:
            csrf.protect()
        except CSRFError:
            return error(403, "This page was open too long. Please try again.", code="csrf")
    return None


def parse(schema, *, sync_fields=("client_id", "device_time", "written_by")):
    """Load the JSON body; answer 400 with field errors when it does not fit."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError({"_body": ["Send a JSON object."]})
    data = schema.load(body)
    meta = {name: data.pop(name, None) for name in sync_fields}
    return data, meta


WRITTEN_BY_SOMEONE_ELSE = (
    "This draft was written by someone else on this device. It will wait until they sign in."
)


def written_by_someone_else():
    """409 when the draft names a writer who is not the person signed in (a shared phone or
    tablet): it must never be stored under the wrong name. Checked before anything else."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("written_by") in (None, ""):
        return None
    if str(body["written_by"]) == str(current_user.id):
        return None
    return jsonify(error="written_by_someone_else", message=WRITTEN_BY_SOMEONE_ELSE), 409


CHECK_ANSWERS = "Some answers need checking."
CONFLICT = "This draft was already sent with different answers."


@bp.errorhandler(ValidationError)
def invalid(err: ValidationError):
    """A body that does not fit its schema: 400 with what to fix, field by field."""
    return error(400, CHECK_ANSWERS, errors=flat_errors(err.messages))


@bp.errorhandler(Invalid)
def refused(err: Invalid):
    """What a service refused (app/validation.py): 400 with its field errors, or 422 when the
    draft's client_id was already used with other answers (the device offers to send it as
    new). Nothing of the refused request is kept."""
    db.session.rollback()
    if isinstance(err, ClientIdConflict):
        return error(422, CONFLICT)
    return error(400, CHECK_ANSWERS, errors=err.errors)


@bp.get("/session")
def session_info():
    """Who is signed in, a fresh CSRF token, and the pages to keep for reading offline."""
    user = current_user
    return SessionOut().dump(
        {
            "user": {
                "id": user.id,
                "name": user.name,
                "role": user.role.value,
                "service": user.service.name,
            },
            "csrf_token": generate_csrf(),
            "offline_urls": offline_urls(user),
        }
    )


@bp.post("/reports")
def create_report():
    """Store a report made on a device, exactly once per client_id.

    An anonymous report is held for release to managers (app/reports/anonymity.py), so its
    answer carries no number and no time; its receipt code is the device's when it sent one.
    """
    if refused := written_by_someone_else():
        return refused
    _values, meta = parse(ReportIn())  # the ReportBody rules, with JSON's strict types
    answers = {k: v for k, v in request.get_json().items() if k not in meta}
    try:
        result = submit_report(
            current_user,
            answers,  # as sent: its fingerprint tells a resend from another report
            client_id=str(meta["client_id"]),
            device_time=_device_time(meta),
            channel="sync",
            schema=ReportBody,
        )
    except IntegrityError:
        db.session.rollback()  # two sendings of one code at the same moment
        return error(
            400,
            CHECK_ANSWERS,
            errors={"receipt_code": ["This receipt code is already in use. Make a new one."]},
        )
    report = result.report
    anonymous = report.anonymous
    body = ReportOut().dump(
        {
            "id": None if anonymous else report.id,
            "client_id": str(meta["client_id"]),
            "kind": report.kind.value,
            "category": report.category.value,
            "status": ReportStatus.NEW.value if anonymous else report.status.value,
            "anonymous": anonymous,
            "created_at": None if anonymous else report.created_at,
            "device_time": None if anonymous else report.device_time,
            "receipt_code": result.receipt_code,
            "url": _report_url(report),
        }
    )
    return jsonify(body), 201 if result.created else 200


def _report_url(report) -> str | None:
    """Where the reporter can read it (never for anonymous)."""
    return None if report.anonymous else url_for("reports.mine")


def _device_time(meta: dict):
    return meta["device_time"].astimezone(UTC) if meta["device_time"] else None


def _not_allowed(action: str):
    if not can(current_user, action):
        return error(403, "Your role cannot send this.")
    return None


@bp.post("/reflections")
def create_reflection():
    """Store a reflection written on a device, exactly once per client_id (only its author
    ever reads it, unless they share it)."""
    if refused := _not_allowed("reflections.write") or written_by_someone_else():
        return refused
    data, meta = parse(ReflectionIn())  # the same ReflectionBody rules the form goes through
    saved = save_reflection(
        current_user,
        data.pop("answers"),
        **data,
        client_id=str(meta["client_id"]),
        device_time=_device_time(meta),
        channel="sync",
    )
    reflection = saved.reflection
    body = ReflectionOut().dump(
        {
            "id": reflection.id,
            "client_id": reflection.client_id,
            "template": reflection.template.value,
            "shared": reflection.shared_with_supervisor,
            "created_at": reflection.created_at,
            "device_time": reflection.device_time,
            "url": url_for("reflections.show", reflection_id=reflection.id),
        }
    )
    return jsonify(body), 201 if saved.created else 200


def _draft_for(draft_id: int | None) -> Observation | None:
    """The observer's own draft, or None; another person's draft is never found."""
    if draft_id is None:
        return None
    draft = db.session.get(Observation, draft_id)
    if draft is None or draft.observer_id != current_user.id:
        raise ObservationInvalid({"draft_id": "This observation could not be found."})
    return draft


@bp.post("/observations")
def create_observation():
    """Store a whole, finished competency observation, exactly once per client_id.

    The unit queued offline is the finished observation, not each tap: choosing the person and
    the checklist at /observe needs a connection (it opens a draft on the server, so answers
    save as the supervisor taps), but once the draft page is open the signal may go. "Finish
    observation" then queues every answer at once with the draft's id, and this endpoint
    completes that draft. Without a draft, `staff_id` and `template_id` say whom and what.
    """
    if refused := _not_allowed("observations.record") or written_by_someone_else():
        return refused
    data, meta = parse(ObservationIn())  # the same ObservationBody rules the form goes through
    draft = None
    if data.get("draft_id") is not None:
        draft = _draft_for(data["draft_id"])
        if draft.status is ObservationStatus.COMPLETED and draft.client_id == str(
            meta["client_id"]
        ):
            draft = None  # a retry: record_observation finds it by client_id
    observation, created = record_observation_once(
        current_user,
        data,
        client_id=str(meta["client_id"]),
        device_time=_device_time(meta),
        channel="sync",
        draft=draft,
    )
    body = ObservationOut().dump(
        {
            "id": observation.id,
            "client_id": observation.client_id,
            "staff_id": observation.staff_id,
            "outcome": observation.outcome.value,
            "created_at": observation.completed_at,
            "device_time": observation.device_time,
            "url": url_for("supervision.observation", observation_id=observation.id),
        }
    )
    return jsonify(body), 201 if created else 200


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_openapi())
