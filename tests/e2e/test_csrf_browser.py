"""Cross-site request forgery from a page on another origin, in a real browser (issue 18, #1).

The review's attack: a page on another site auto-submits POST /people/<id> with role=admin.
The CSRF error page used to show those fields again with a fresh token and a "Send again"
button, so one click by a signed-in admin made a care worker an admin. Now the refusal
offers nothing to send, and the role never changes.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.e2e.conftest import PHONE, assert_accessible

pytestmark = pytest.mark.e2e

ATTACK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>You have won a prize</title></head>
<body>
<form id="attack" method="post" action="{action}">
  <input type="hidden" name="role" value="admin">
  <input type="hidden" name="csrf_token" value="forged">
</form>
<script>document.getElementById("attack").submit();</script>
</body></html>
"""


@pytest.fixture
def attacker_site(live_server):
    """A tiny site on 127.0.0.1, another port (and so another origin), serving the attack."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (the standard library's name)
            body = pages.get(self.path)
            if body is None:
                self.send_response(204)
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    assert urlsplit(origin).netloc != urlsplit(live_server.url()).netloc

    def serve(path: str, html: str) -> str:
        pages[path] = html
        return origin + path

    yield serve
    server.shutdown()
    server.server_close()


def _carer(app) -> tuple[int, Role]:
    with app.app_context():
        carer = db.session.scalars(select(User).where(User.email == "carer@willow.demo")).one()
        return carer.id, carer.role


def test_a_forged_role_change_from_another_origin_changes_nothing_and_offers_no_resend(
    app, browser, _no_connection_crosses_the_fork, live_server, demo, attacker_site
):
    carer_id, before = _carer(app)
    assert before is Role.STAFF
    # A context of our own: the refusal's 400 is expected here, and Chromium logs it as a
    # console error, which the shared `make_page` would (rightly, elsewhere) count as a fault.
    context = browser.new_context(viewport=PHONE, base_url=live_server.url())
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto("/login")
        page.get_by_label("Email address").fill("admin@demo.learnloop")
        page.get_by_label("Password").fill("learnloop-demo")
        page.get_by_label("Keep me signed in").check()
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")

        attack = attacker_site(
            "/prize.html", ATTACK_PAGE.format(action=live_server.url(f"/people/{carer_id}"))
        )
        page.goto(attack)
        page.wait_for_url(f"**/people/{carer_id}")
        page.wait_for_load_state()

        # The refusal: a plain page, nothing to send again, no role field, no "Send again".
        assert page.get_by_role("heading", level=1).inner_text() == "That was not saved"
        main = page.locator("main")
        assert main.locator("form").count() == 0
        assert page.locator('input[name="role"]').count() == 0
        assert page.locator('input[value="admin"]').count() == 0
        assert page.get_by_role("button", name="Send again").count() == 0
        # Nor does the browser put anything back: nothing was typed on our page.
        assert page.get_by_text("We kept what you typed").count() == 0
        assert page.evaluate("sessionStorage.getItem('learnloop-kept-typing')") is None
        assert_accessible(page)

        # The only way on is a link: a GET that changes nothing, and the admin is still
        # signed in (the refusal did not replace their session).
        page.get_by_role("link", name="Go to the home page").click()
        page.wait_for_url("**/")
        assert page.get_by_role("heading", level=1).count() == 1
        assert "/login" not in page.url
        assert _carer(app)[1] is Role.STAFF

        # Their own person page still works as normal, and shows the carer unchanged.
        page.goto(f"/people/{carer_id}")
        assert page.get_by_label("Role").input_value() == "staff"
    finally:
        context.close()
    unexpected = [p for p in problems if "status of 400" not in p]
    assert unexpected == []
