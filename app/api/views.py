"""JSON endpoints: thin, like the HTML views. Parse with a schema, call the same service the
HTML form calls, answer with a status the outbox acts on:

201 created · 200 a repeat of the same client_id and body (the same record) · 400 field
errors to fix · 401 signed out (JSON, never a redirect) · 403 not allowed (role or CSRF) ·
422 the same client_id with a different body.
"""

from __future__ import annotations

from datetime import UTC

from flask import g, jsonify, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from marshmallow import ValidationError

from app.api import bp
from app.api.openapi import build_openapi
from app.api.schemas import ReportIn, ReportOut, SessionOut
from app.extensions import csrf
from app.pwa.offline import offline_urls
from app.reports.services import ClientIdConflict, ReportInvalid, submit_report

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


def parse(schema, *, sync_fields=("client_id", "device_time")):
    """Load the JSON body; answer 400 with field errors when it does not fit."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError({"_body": ["Send a JSON object."]})
    data = schema.load(body)
    meta = {name: data.pop(name, None) for name in sync_fields}
    return data, meta


@bp.errorhandler(ValidationError)
def invalid(err: ValidationError):
    messages = err.messages if isinstance(err.messages, dict) else {"_body": err.messages}
    return error(400, "Some answers need checking.", errors=_flatten(messages))


def _flatten(messages: dict) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            for inner, inner_value in _flatten(value).items():
                flat[f"{name}.{inner}"] = inner_value
        else:
            flat[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return flat


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


def _report_answers(data: dict) -> dict:
    """The API's typed body as the form's answers (strings, follow_up_<name> fields)."""
    answers = {k: v for k, v in data.items() if k not in {"follow_up", "occurred_on"}}
    if "occurred_on" in data:
        answers["occurred_on"] = data["occurred_on"].isoformat()
    for name, value in (data.get("follow_up") or {}).items():
        answers[f"follow_up_{name}"] = value
    return answers


@bp.post("/reports")
def create_report():
    """Store a report made on a device, exactly once per client_id."""
    data, meta = parse(ReportIn())
    device_time = meta["device_time"].astimezone(UTC) if meta["device_time"] else None
    try:
        result = submit_report(
            current_user,
            _report_answers(data),
            client_id=str(meta["client_id"]),
            device_time=device_time,
            channel="sync",
        )
    except ReportInvalid as invalid_report:
        return error(400, "Some answers need checking.", errors=invalid_report.errors)
    except ClientIdConflict:
        return error(422, "This draft was already sent with different answers.")
    report = result.report
    body = ReportOut().dump(
        {
            "id": report.id,
            "client_id": report.client_id,
            "kind": report.kind.value,
            "category": report.category.value,
            "status": report.status.value,
            "anonymous": report.anonymous,
            "created_at": report.created_at,
            "device_time": report.device_time,
            "receipt_code": result.receipt_code,
            "url": _report_url(report),
        }
    )
    return jsonify(body), 201 if result.created else 200


def _report_url(report) -> str | None:
    """Where the reporter can read it, once the reports pages exist (never for anonymous)."""
    if report.anonymous:
        return None
    try:
        return url_for("reports.mine")
    except Exception:  # noqa: BLE001 - the reports pages arrive from another branch
        return None


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_openapi())
