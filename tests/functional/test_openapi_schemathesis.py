"""Property-based run of the JSON API against its own OpenAPI document (schemathesis).

The app runs under gunicorn as in production. Every operation is called with generated valid
and invalid bodies, signed in with a real session and CSRF token, and every answer must keep
to the document: no server errors, only documented status codes and bodies, invalid data
refused, and no answer without the sign-in.

(schemathesis' pytest plugin does not run under pytest 9 yet, so its strategies are driven
with hypothesis directly: the same generation and the same checks.)

One check is left out: "positive data acceptance" assumes that any body matching the schema
must be accepted. Reports have rules across fields that JSON Schema cannot say (an incident
needs its harm answered; a time cannot be in the future); the report service answers those
with a documented 400 and field errors, which test_offline_api.py covers. The run signs in as
a supervisor, who may send all three kinds of record (a staff member's 403 for observations is
covered in test_offline_api_records.py).
"""

from __future__ import annotations

import uuid

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import PASSWORD
from tests.functional.servers import gunicorn, signed_in_session

pytestmark = pytest.mark.walks  # the date plays no part: not repeated on the fixed dates

EXAMPLES = 60


@pytest.fixture
def served(world, database_url):
    with gunicorn(database_url, workers=2) as base:
        http, csrf = signed_in_session(base, world.supervisor.email, PASSWORD)
        yield base, {"headers": {"X-CSRFToken": csrf}, "cookies": http.cookies.get_dict()}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_openapi_document(served, mode):
    base, credentials = served
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {
        "GET /session",
        "POST /reports",
        "POST /reflections",
        "POST /observations",
    }
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.method.upper() == "GET":
            continue  # GET /session takes no input at all: nothing to make invalid

        @given(case=operation.as_strategy(generation_mode=mode, **credentials))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(
                base_url=f"{base}/api/v1", excluded_checks=[positive_data_acceptance]
            )

        run()


# Bodies that once answered 500: each must be a documented 400 with a message, through the same
# checks (no server error, status and body as documented). A body nested 5,000 deep cannot be
# written as a Python object for the checks, so it is sent as text beside them.
HOSTILE_BODIES = {
    "POST /reports": [
        {"device_time": "9999-12-31T23:59:59-23:59"},
        {"device_time": "0001-01-01T00:00:00+14:00"},
        {"description": "lone \ud800 half"},
        {"follow_up": "a string", "follow_up_surface": "wet"},
        {"description": "care\x00worker"},
    ],
    "POST /reflections": [
        {"device_time": "9999-12-31T23:59:59-23:59"},
        {"answers": {"helped": "lone \udfff half"}},
        {"link": "report:99999999999999999999"},
    ],
    "POST /observations": [
        {"device_time": "0001-01-01T00:00:00+14:00"},
        {"staff_id": 99999999999999999999, "template_id": 1, "items": {}},
        {"draft_id": "not a number", "items": {}},
    ],
}
BASES = {
    "POST /reports": {"description": "Slipped", "kind": "near_miss", "category": "falls"},
    "POST /reflections": {"answers": {"helped": "The handover"}},
    "POST /observations": {"items": {}},
}


def test_bodies_that_broke_the_api_are_documented_refusals(served):
    base, credentials = served
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = {result.ok().label: result.ok() for result in schema.get_all_operations()}
    for label, bodies in HOSTILE_BODIES.items():
        for hostile in bodies:
            body = {**BASES[label], "client_id": str(uuid.uuid4()), **hostile}
            case = operations[label].Case(body=body, media_type="application/json", **credentials)
            response = case.call_and_validate(
                base_url=f"{base}/api/v1", excluded_checks=[positive_data_acceptance]
            )
            assert response.status_code == 400, (label, hostile, response.status_code)
            assert response.json()["error"]
    deep = "[" * 5000 + "]" * 5000
    for label in HOSTILE_BODIES:
        path = label.split()[1]
        response = requests.post(
            f"{base}/api/v1{path}",
            data=deep,
            headers={**credentials["headers"], "Content-Type": "application/json"},
            cookies=credentials["cookies"],
            timeout=30,
        )
        assert response.status_code == 400 and "nested" in response.json()["error"]
