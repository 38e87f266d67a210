"""The OpenAPI 3 document of the JSON API, built by apispec from the marshmallow schemas."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.api.schemas import (
    ErrorOut,
    ObservationIn,
    ObservationOut,
    ReflectionIn,
    ReflectionOut,
    ReportIn,
    ReportOut,
    SessionOut,
)

# (path, request schema, answer schema, operationId, summary) of each synced record.
SYNCED = (
    (
        "/reports",
        "ReportIn",
        "Report",
        "createReport",
        "Send a near miss or incident made on a device",
    ),
    (
        "/reflections",
        "ReflectionIn",
        "Reflection",
        "createReflection",
        "Send a reflection written on a device",
    ),
    (
        "/observations",
        "ObservationIn",
        "Observation",
        "createObservation",
        "Send a finished competency observation",
    ),
)

SIGNED_IN = [{"session": [], "csrf": []}]


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _errors(*codes: int) -> dict:
    text = {
        400: "Answers to fix: `errors` maps each field to messages",
        401: "Signed out: sign in again (never a redirect)",
        403: "Not allowed, or the CSRF token is missing or stale",
        409: "`written_by_someone_else`: the draft was written by another person on this "
        "device; nothing was stored, and `message` says so in plain words",
        422: "This client_id was already used with a different body",
    }
    return {str(code): _json("Error", text[code]) for code in codes}


def _synced_post(body: str, answer: str, operation_id: str, summary: str) -> dict:
    return {
        "summary": summary,
        "operationId": operation_id,
        "security": SIGNED_IN,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        },
        "responses": {
            "201": _json(answer, "Stored"),
            "200": _json(answer, "Already stored: the same client_id and body"),
            **_errors(400, 401, 403, 409, 422),
        },
    }


@cache
def build_openapi() -> dict:
    spec = APISpec(
        title="LearnLoop offline sync API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "What the offline outbox posts to. Sign in with the session cookie; "
            "send the CSRF token from GET /session in the X-CSRFToken header on every POST."
        },
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    spec.components.security_scheme(
        "csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}
    )
    spec.components.schema("Error", schema=ErrorOut)
    spec.components.schema("Session", schema=SessionOut)
    spec.components.schema("ReportIn", schema=ReportIn)
    spec.components.schema("Report", schema=ReportOut)
    spec.components.schema("ReflectionIn", schema=ReflectionIn)
    spec.components.schema("Reflection", schema=ReflectionOut)
    spec.components.schema("ObservationIn", schema=ObservationIn)
    spec.components.schema("Observation", schema=ObservationOut)
    spec.path(
        path="/session",
        operations={
            "get": {
                "summary": "Who is signed in, and a fresh CSRF token",
                "operationId": "getSession",
                "security": [{"session": []}],
                "responses": {"200": _json("Session", "Signed in"), **_errors(401)},
            }
        },
    )
    for path, body, answer, operation_id, summary in SYNCED:
        spec.path(path=path, operations={"post": _synced_post(body, answer, operation_id, summary)})
    return spec.to_dict()
