"""A phone on a flaky connection may send the same draft many times at once: one record only."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from app.extensions import db
from app.models import Report
from tests.conftest import PASSWORD
from tests.functional.servers import gunicorn, signed_in_session

COPIES = 20


def test_twenty_identical_sends_at_once_leave_exactly_one_report(app, world, database_url):
    body = {
        "client_id": str(uuid.uuid4()),
        "device_time": "2026-03-14T06:55:00+00:00",
        "description": "Hoist sling frayed at the seam; took it out of use.",
        "kind": "near_miss",
        "category": "equipment",
    }
    with gunicorn(database_url, workers=4) as base:
        http, csrf = signed_in_session(base, world.staff.email, PASSWORD)
        cookies = http.cookies.get_dict()
        start = threading.Barrier(COPIES)
        statuses: list[int] = []
        ids: set[int] = set()

        def send():
            import requests

            start.wait()
            response = requests.post(
                f"{base}/api/v1/reports",
                json=body,
                cookies=cookies,
                headers={"X-CSRFToken": csrf},
                allow_redirects=False,
                timeout=60,
            )
            statuses.append(response.status_code)
            ids.add(response.json().get("id"))

        threads = [threading.Thread(target=send) for _ in range(COPIES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(statuses) == [200] * (COPIES - 1) + [201]
    assert len(ids) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1
