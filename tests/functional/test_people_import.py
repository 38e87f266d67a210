"""Managers add staff in bulk from a CSV file: preview, row-by-row errors, all or nothing."""

from __future__ import annotations

import io
import re
from html import unescape

from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboundEmail, Role, User
from app.notifications.mail import deliver_due
from tests.conftest import csrf_token_from, sign_in

GOOD = """name,email,role,start date
Ada Lovelace,ada@willow.example.org,Care worker,30/11/2026
Ben Okafor,BEN@willow.example.org,supervisor,2026-12-01
Cara Singh,cara@willow.example.org,Registered manager,
"""


def client_for(app, user):
    own = app.test_client()
    assert sign_in(own, user.email).status_code == 302
    return own


def upload(client, world, text: str, service_id=None):
    page = client.get("/people/import")
    token = csrf_token_from(page.get_data(as_text=True))
    data = {
        "csrf_token": token,
        "service_id": str(service_id or world.willow.id),
        "file": (io.BytesIO(text.encode("utf-8-sig")), "staff.csv"),
    }
    return client.post("/people/import", data=data, content_type="multipart/form-data")


def confirm(client, preview_html: str):
    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', preview_html))
    return client.post("/people/import/confirm", data={k: unescape(v) for k, v in fields.items()})


def people_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_a_good_file_is_previewed_then_everyone_is_added_and_invited(app, world, mailbox):
    manager = client_for(app, world.manager)
    before = people_count(app)
    preview = upload(manager, world, GOOD)
    html = preview.get_data(as_text=True)
    assert "3 people ready to add" in html and "Ada Lovelace" in html
    assert people_count(app) == before  # nothing saved by the preview

    done = confirm(manager, html)
    assert done.status_code == 302
    with app.app_context():
        ben = db.session.scalars(select(User).where(User.email == "ben@willow.example.org")).one()
        ada = db.session.scalars(select(User).where(User.email == "ada@willow.example.org")).one()
        assert ben.role is Role.SUPERVISOR and ben.service_id == world.willow.id
        assert ada.started_on.isoformat() == "2026-11-30" and ada.password_hash is None
        deliver_due()
    assert people_count(app) == before + 3
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "ada@willow.example.org",
        "ben@willow.example.org",
        "cara@willow.example.org",
    ]


def test_bad_rows_are_listed_one_by_one_and_nothing_is_saved(app, world):
    bad = """name,email,role,start date
Ada Lovelace,ada@willow.example.org,Care worker,30/11/2026
,no-at-sign,Wizard,31/02/2026
Dup One,dup@willow.example.org,staff,
Dup Two,dup@willow.example.org,staff,
Taken,carer@willow.example.org,staff,
Boss,boss@willow.example.org,Provider admin,
"""
    manager = client_for(app, world.manager)
    before = people_count(app)
    html = upload(manager, world, bad).get_data(as_text=True)
    assert "4 rows need changing" in html
    assert "Nobody has been added" in html
    for problem in (
        "Add their name.",
        "Write an email address like name@example.org.",
        "Role must be one of: Care worker, Supervisor or senior carer, Registered manager.",
        "Write the start date like 2026-11-30 or 30/11/2026.",
        "This email is also on row 4.",
        "Someone already uses that email address.",
    ):
        assert problem in html, problem
    assert "and send invitations" not in html
    assert people_count(app) == before


def test_confirming_a_file_that_is_not_all_valid_saves_nobody(app, world):
    manager = client_for(app, world.manager)
    html = upload(manager, world, GOOD).get_data(as_text=True)
    tampered = html.replace("BEN@willow.example.org", "carer@willow.example.org")
    response = confirm(manager, tampered)
    assert response.status_code == 200
    assert "Someone already uses that email address." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(OutboundEmail)).all() == []
        assert db.session.scalars(select(User).where(User.email.like("ada@%"))).all() == []


def test_a_file_without_the_right_columns_is_explained(app, world):
    manager = client_for(app, world.manager)
    html = upload(manager, world, "full name,mail\nAda,ada@x.org\n").get_data(as_text=True)
    assert "The first row must name the columns: name, email, role, start date." in html


def test_managers_import_only_into_their_own_service(app, world):
    manager = client_for(app, world.manager)
    html = upload(manager, world, GOOD, service_id=world.riverside.id).get_data(as_text=True)
    assert "Not a valid choice" in html
    staff = client_for(app, world.staff)
    assert staff.get("/people/import").status_code == 403
