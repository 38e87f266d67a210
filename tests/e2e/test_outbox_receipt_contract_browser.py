"""The receipt code of an anonymous report made on the phone survives a lost answer.

NEEDS THE SERVER SIDE OF ISSUE 17 (the API taking `receipt_code` and `written_by`, storing only
the code's hash and echoing the code on 201 and on a 200 replay). Without it the API refuses
unknown fields, the outbox (which reads the API document) does not send them, and this test
fails at its first assertion on the request body.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.reports.services import find_by_receipt
from tests.e2e.conftest import assert_accessible, sign_in
from tests.e2e.test_offline_browser import fill_near_miss, open_offline
from tests.e2e.test_outbox_sync_browser import ENTRIES, phone_expecting  # noqa: F401
from tests.functional.anonymous_release import release_held

pytestmark = pytest.mark.e2e

CARER = "carer@willow.demo"


def test_the_receipt_code_made_on_the_phone_is_the_one_the_server_keeps(
    phone_expecting,  # noqa: F811
    demo,
    app,
):
    """Needs the server contract of issue 17 (see the module docstring). The first send
    reaches the server but its answer is lost on the way back; the retry is a replay. The
    reporter is shown the code the phone made with the draft, the server finds the report by
    it, and both requests said who wrote the draft."""
    page = phone_expecting("ERR_CONNECTION_RESET")
    page.add_init_script("globalThis.learnloopOutboxTiming = { anonymousDelay: [300, 600] };")
    bodies: list[dict] = []

    def answer_lost_once(route):
        bodies.append(route.request.post_data_json)
        if len(bodies) == 1:
            route.fetch()  # it reaches the server ...
            route.abort("connectionreset")  # ... and the answer never comes back
        else:
            route.continue_()

    sign_in(page, CARER)
    open_offline(page, "/report")
    text = "The night checks on the first floor were signed for but not done."
    fill_near_miss(page, text)
    page.get_by_label("Report without my name").check()
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("status").filter(has_text="Saved on this device").wait_for()
    code = next(e for e in page.evaluate(ENTRIES) if e["body"]["description"] == text)[
        "receiptCode"
    ]
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}", code)

    page.route("**/api/v1/reports", answer_lost_once)
    page.context.set_offline(False)
    receipt = page.locator("[data-outbox-receipts]")
    receipt.wait_for(timeout=20000)
    with app.app_context():
        carer_id = str(db.session.scalars(select(User.id).where(User.email == CARER)).one())
        db.session.remove()
    assert [b.get("receipt_code") for b in bodies] == [code, code]
    assert [b.get("written_by") for b in bodies] == [carer_id, carer_id]
    assert receipt.locator(".receipt__code").inner_text() == code
    assert_accessible(page)
    release_held(app)  # as cron does once the release window has passed
    with app.app_context():  # the reporter's code finds their report (it keeps no name)
        stored = find_by_receipt(code)
        assert stored is not None and stored.description == text and stored.reporter_id is None
        db.session.remove()
    page.get_by_role("button", name="I have noted it").click()
    receipt.wait_for(state="detached")
    page.reload()
    assert page.locator("[data-outbox-receipts]").count() == 0
