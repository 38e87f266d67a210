"""People admin: managers run their own service, admins their organisation, nobody else's."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.conftest import post_form, sign_in


def _add(client, world, **overrides):
    data = {
        "name": "Ada New",
        "email": "ada@willow.example.org",
        "role": "staff",
        "service_id": str(world.willow.id),
        "started_on": "2026-11-20",
        "password": "a long first password",
        **overrides,
    }
    return post_form(client, "/people/new", data, page_url="/people/new")


def test_manager_adds_a_new_starter_who_can_then_sign_in(app, client, signed_in, world):
    signed_in(world.manager)
    response = _add(client, world)
    assert response.status_code == 302
    post_form(client, "/logout", {})
    assert sign_in(client, "ada@willow.example.org", "a long first password").status_code == 302
    with app.app_context():
        ada = db.session.scalars(select(User).where(User.email == "ada@willow.example.org")).one()
        assert ada.role is Role.STAFF and ada.started_on.isoformat() == "2026-11-20"


def test_adding_someone_with_bad_answers_explains_each_problem(client, signed_in, world):
    signed_in(world.manager)
    response = _add(client, world, name="", email="not-an-email", password="short")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter their name." in body
    assert "Enter an email address like name@example.org." in body
    assert "Use at least 8 characters." in body
    assert 'value="not-an-email"' in body  # nothing typed is lost


def test_email_addresses_are_unique_whatever_their_case(client, signed_in, world):
    signed_in(world.manager)
    response = _add(client, world, email="CARER@willow.example.org")
    assert "Someone already uses that email address." in response.get_data(as_text=True)


def test_manager_cannot_add_to_another_service_or_make_an_admin(client, signed_in, world):
    signed_in(world.manager)
    other = _add(client, world, service_id=str(world.riverside.id))
    assert other.status_code == 200
    assert "Not a valid choice" in other.get_data(as_text=True)
    admin = _add(client, world, role="admin")
    assert "Not a valid choice" in admin.get_data(as_text=True)


def test_admin_adds_people_to_any_service_of_their_organisation(client, signed_in, world):
    signed_in(world.admin)
    assert _add(client, world, service_id=str(world.riverside.id)).status_code == 302
    far = _add(client, world, email="x@far.example.org", service_id=str(world.faraway.id))
    assert far.status_code == 200


def test_people_list_shows_only_the_managers_service(client, signed_in, world):
    signed_in(world.manager)
    body = client.get("/people").get_data(as_text=True)
    assert "Carer Willow" in body
    assert "Carer Riverside" not in body
    assert "Carer Faraway" not in body


def test_admin_people_list_spans_the_organisation_only(client, signed_in, world):
    signed_in(world.admin)
    body = client.get("/people").get_data(as_text=True)
    assert "Carer Willow" in body and "Carer Riverside" in body
    assert "Carer Faraway" not in body


def test_staff_and_supervisors_cannot_open_people_admin(client, signed_in, world):
    signed_in(world.supervisor)
    assert client.get("/people").status_code == 403
    assert client.get(f"/people/{world.staff.id}").status_code == 403


def test_manager_cannot_open_someone_in_another_service(client, signed_in, world):
    signed_in(world.manager)
    assert client.get(f"/people/{world.riverside_staff.id}").status_code == 404
    assert client.get(f"/people/{world.faraway_staff.id}").status_code == 404
    response = post_form(client, f"/people/{world.riverside_staff.id}/deactivate", {})
    assert response.status_code == 404


def test_manager_changes_a_role(app, client, signed_in, world):
    signed_in(world.manager)
    url = f"/people/{world.staff.id}"
    assert post_form(client, url, {"role": "supervisor"}, page_url=url).status_code == 302
    with app.app_context():
        assert db.session.get(User, world.staff.id).role is Role.SUPERVISOR


def test_nobody_changes_their_own_role(client, signed_in, world):
    signed_in(world.manager)
    url = f"/people/{world.manager.id}"
    response = post_form(client, url, {"role": "staff"}, page_url=url, follow_redirects=True)
    assert "You cannot change your own role" in response.get_data(as_text=True)


def test_manager_cannot_change_an_admins_account(client, signed_in, world):
    signed_in(world.manager)
    url = f"/people/{world.admin.id}"
    assert post_form(client, url, {"role": "staff"}, page_url=url).status_code == 403
    assert post_form(client, url + "/deactivate", {}).status_code == 403


def test_deactivating_someone_signs_them_out_at_once(app, world):
    staff_client = app.test_client()
    manager_client = app.test_client()
    sign_in(staff_client, "carer@willow.example.org")
    assert staff_client.get("/").status_code == 200
    sign_in(manager_client, "manager@willow.example.org")
    response = post_form(manager_client, f"/people/{world.staff.id}/deactivate", {})
    assert response.status_code == 302
    assert staff_client.get("/").status_code == 302
    post_form(manager_client, f"/people/{world.staff.id}/reactivate", {})
    assert sign_in(staff_client, "carer@willow.example.org").status_code == 302
