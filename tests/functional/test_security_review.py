"""The findings of the security review (issue 18), each reproduced as the attack was made.

Each test here failed on the code before the fix. docs/security.md ("Security review
findings") names the test for each finding.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

import app.models.people as people_models
from app.extensions import db
from app.models import AccountLink, OutboundEmail, ResetRequest, Role, User
from app.notifications.accounts import send_requested_resets
from tests.conftest import PASSWORD, csrf_token_from, sign_in


def _role_of(app, user_id: int) -> Role:
    with app.app_context():
        return db.session.get(User, user_id).role


# -- 1. One-click CSRF through "Please send that again" --------------------------------------


def test_a_forged_role_change_from_another_site_is_refused_and_never_offered_again(
    app, client, world
):
    """Another site auto-submits POST /people/<id> with role=admin for a signed-in admin."""
    assert sign_in(client, world.admin.email, remember="y").status_code == 302
    response = client.post(
        f"/people/{world.staff.id}",
        data={"role": "admin", "csrf_token": "forged"},
        headers={"Referer": "http://evil.example/attack.html", "Origin": "http://evil.example"},
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main  # nothing to send again
    assert 'name="role"' not in body and 'value="admin"' not in body
    assert "Send again" not in body
    assert _role_of(app, world.staff.id) is Role.STAFF


def test_a_forged_post_without_a_referrer_gets_a_plain_page(app, client, world):
    assert sign_in(client, world.admin.email).status_code == 302
    response = client.post(f"/people/{world.staff.id}", data={"role": "admin"})
    assert response.status_code == 400
    assert 'value="admin"' not in response.get_data(as_text=True)
    assert _role_of(app, world.staff.id) is Role.STAFF


def test_a_stale_form_on_our_own_page_goes_back_to_it(app, client, world):
    assert sign_in(client, world.admin.email).status_code == 302
    page = f"http://localhost/people/{world.staff.id}"
    response = client.post(
        f"/people/{world.staff.id}", data={"role": "manager"}, headers={"Referer": page}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{world.staff.id}"
    assert _role_of(app, world.staff.id) is Role.STAFF


def test_the_way_back_is_never_another_site_even_with_a_tricky_referrer(client, world):
    for referrer in (
        "http://localhost.evil.example/people/1",
        "http://evil.example/http://localhost/",
        "https://localhost/people/1",  # another scheme is another origin
        "http://localhost//evil.example/",
    ):
        response = client.post("/login", data={"email": "x"}, headers={"Referer": referrer})
        location = response.headers.get("Location", "")
        assert (
            response.status_code == 400
            or location.startswith("/")
            and not location.startswith("//")
        ), referrer
        assert "evil" not in location


def test_password_is_never_kept(client, world):
    response = client.post("/login", data={"email": world.staff.email, "password": PASSWORD})
    assert PASSWORD not in response.get_data(as_text=True)


# -- 9. Open redirect after sign-in ------------------------------------------------------------

# Each as it appears in the query string of /login?next=...
REDIRECT_BYPASSES = [
    "/%09/evil.com",
    "//evil.com",
    "/%5Cevil.com",  # /\evil.com
    "%5C/evil.com",  # \/evil.com
    "%5C%5Cevil.com",
    "/%2f%2fevil.com",
    "/%252f%252fevil.com",
    "https://evil.com",
    "https:evil.com",
    "http:evil.com",
    "http:/evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "data:text/html,hi",
    "/%0d/x",
    "/%0a/x",
    "/%0d%0aSet-Cookie:%20x=1",
    "%20//evil.com",
    "+//evil.com",
    "/%00/evil.com",
    "/%5C/evil.com",
    "///evil.com",
    "////evil.com",
    "/.%2f%2fevil.com",
    "%2F%2Fevil.com",
    "evil.com",
    "@evil.com",
    "/%E2%80%8B/evil.com",  # a zero-width space is harmless but stays a path
    "/%7F/evil.com",
]


def _sign_in_with_next(client, world, raw_next: str):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        f"/login?next={raw_next}",
        data={"email": world.staff.email, "password": PASSWORD, "csrf_token": token},
    )


def _is_off_site(location: str) -> bool:
    """As a browser reads a Location: tabs and newlines dropped, backslashes as slashes."""
    cleaned = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    parts = urlsplit(cleaned)
    return bool(parts.scheme or parts.netloc) or cleaned.startswith("//")


def test_sign_in_never_redirects_off_site_whatever_next_says(app, world):
    problems = []
    for raw in REDIRECT_BYPASSES:
        client = app.test_client()
        response = _sign_in_with_next(client, world, raw)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or _is_off_site(location):
            problems.append((raw, response.status_code, location))
    assert problems == []


def test_a_path_on_this_site_is_still_followed(app, world):
    response = _sign_in_with_next(app.test_client(), world, "/reports/mine%3Fpage%3D2")
    assert response.headers["Location"] == "/reports/mine?page=2"


# -- 3. Email links take their address from the request's Host --------------------------------


def deliver_reset_requests(app) -> None:
    with app.app_context():
        send_requested_resets()


def _emails(app) -> list[str]:
    with app.app_context():
        return [m.body for m in db.session.scalars(select(OutboundEmail)).all()]


def test_a_reset_asked_for_with_a_forged_host_mails_a_link_to_this_site(app, world):
    client = app.test_client()  # the attacker, talking to our server as "evil.example"
    page = client.get("/reset", base_url="http://evil.example")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/reset",
        base_url="http://evil.example",
        data={"email": world.staff.email, "csrf_token": token},
    )
    assert response.status_code == 200
    deliver_reset_requests(app)
    (body,) = _emails(app)
    assert "evil.example" not in body
    assert "http://localhost/reset/" in body  # APP_BASE_URL's default in tests


def test_an_invitation_sent_through_a_forged_host_links_to_app_base_url(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "APP_BASE_URL", "https://learnloop.example.org")
    client = app.test_client()
    page = client.get("/login", base_url="http://evil.example")
    client.post(
        "/login",
        base_url="http://evil.example",
        data={
            "email": world.manager.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    page = client.get("/people/invite", base_url="http://evil.example")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/people/invite",
        base_url="http://evil.example",
        data={
            "name": "Nia Newstart",
            "email": "nia@willow.example.org",
            "role": "staff",
            "service_id": str(world.willow.id),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    (body,) = _emails(app)
    assert "evil.example" not in body
    assert "https://learnloop.example.org/welcome/" in body


# -- 7. Account existence shows in response times ----------------------------------------------


class CountingHasher(PasswordHasher):
    """The suite's cheap hasher, counting every verification."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):  # noqa: A002  (argon2's own name)
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(people_models, "_hasher", counting)
    return counting


def test_sign_in_checks_one_hash_whether_or_not_the_account_exists(app, world, hasher):
    with app.app_context():
        deactivated = db.session.get(User, world.riverside_staff.id)
        deactivated.active = False
        db.session.commit()
    attempts = {
        "right password": (world.staff.email, PASSWORD),
        "wrong password": (world.staff.email, "not the password"),
        "no such account": ("nobody@willow.example.org", PASSWORD),
        "deactivated": (world.riverside_staff.email, PASSWORD),
    }
    counts = {}
    for name, (email, password) in attempts.items():
        before = hasher.verified
        sign_in(app.test_client(), email, password)
        counts[name] = hasher.verified - before
    assert counts == dict.fromkeys(attempts, 1)


def test_an_invited_person_without_a_password_costs_the_same_check(app, world, hasher):
    with app.app_context():
        invited = db.session.get(User, world.staff.id)
        invited.password_hash = None
        db.session.commit()
    sign_in(app.test_client(), world.staff.email, PASSWORD)
    assert hasher.verified == 1


def test_asking_for_a_reset_does_the_same_work_whether_or_not_the_account_exists(
    app, world, count_queries
):
    """The same statements for a known and an unknown address, and no email or link made
    while the person waits: the sender does that afterwards, from the reset_request outbox."""
    client = app.test_client()
    statements = {}
    for email in (world.staff.email, "nobody@willow.example.org"):
        page = client.get("/reset")
        token = csrf_token_from(page.get_data(as_text=True))
        with count_queries() as counted:
            response = client.post("/reset", data={"email": email, "csrf_token": token})
        assert response.status_code == 200
        statements[email] = [" ".join(s.split()[:3]) for s in counted.statements]
    assert statements[world.staff.email] == statements["nobody@willow.example.org"]
    with app.app_context():
        assert db.session.scalars(select(OutboundEmail)).all() == []
        assert db.session.scalars(select(AccountLink)).all() == []
        assert len(db.session.scalars(select(ResetRequest)).all()) == 2
    deliver_reset_requests(app)
    with app.app_context():
        sent = db.session.scalars(select(OutboundEmail)).all()
        assert [m.to_address for m in sent] == [world.staff.email]
        assert db.session.scalars(select(ResetRequest)).all() == []


# -- 10. Spreadsheet formula injection in CSV exports and the import preview -------------------

FORMULA = '=HYPERLINK("https://evil.example/steal","Open the care plan")'


def test_a_learning_summary_that_is_a_formula_is_text_in_the_evidence_pack_csv(app, world):
    from datetime import date

    from tests.functional.learning_data import debrief

    with app.app_context():
        debrief(world.willow.id, world.manager.id, date(2026, 2, 10), summary=FORMULA)
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, world.manager.email).status_code == 302
    response = client.get("/evidence/pack.zip?start=2026-01&end=2026-06")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    cells = [
        cell
        for name in archive.namelist()
        for row in csv.reader(io.StringIO(archive.read(name).decode()))
        for cell in row
    ]
    assert "'" + FORMULA in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [c for c in cells if c.startswith("-") and not c.lstrip("-").isdigit()]


def test_a_formula_in_an_imported_name_is_shown_and_stored_as_text(app, world):
    from tests.functional.test_people_import import confirm, upload

    client = app.test_client()
    assert sign_in(client, world.manager.email).status_code == 302
    file = f'name,email,role,start date\n"{FORMULA.replace(chr(34), chr(34) * 2)}",ev@willow.example.org,staff,\n'
    preview = upload(client, world, file).get_data(as_text=True)
    assert "&#39;=HYPERLINK" in preview  # shown as it will be stored
    assert confirm(client, preview).status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(User).where(User.email == "ev@willow.example.org")).one()
        assert stored.name == "'" + FORMULA


# -- 11. Debrief points deleted by anyone, unaudited -------------------------------------------


def _debrief_with_a_point_by(app, world, author):
    """A debrief led by the supervisor, with one point added by `author`."""
    from app.debriefs.services import add_contribution
    from app.models import Debrief
    from tests.debrief_helpers import make_debrief

    with app.app_context():
        debrief_id = make_debrief(world.supervisor, attendees=[world.manager, world.admin])
        debrief = db.session.get(Debrief, debrief_id)
        point = add_contribution(
            db.session.get(User, author.id), debrief, "helped", "The night checklist helped"
        )
        return debrief_id, point.id


def _remove(client, debrief_id, point_id):
    url = f"/debriefs/{debrief_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(f"{url}/points/{point_id}/remove", data={"csrf_token": token})


def _audit(app, action):
    from app.models import AuditEntry

    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_colleague_cannot_remove_someone_elses_debrief_point(app, world):
    debrief_id, point_id = _debrief_with_a_point_by(app, world, world.manager)
    other = app.test_client()
    assert sign_in(other, world.admin.email).status_code == 302  # attends, neither author nor lead
    page = other.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert f"/points/{point_id}/remove" not in page
    assert _remove(other, debrief_id, point_id).status_code == 403
    from app.models import DebriefContribution

    with app.app_context():
        assert db.session.get(DebriefContribution, point_id) is not None
    assert _audit(app, "debrief.point_removed") == []


def test_the_author_or_the_lead_removes_a_point_and_both_are_audited(app, world):
    debrief_id, point_id = _debrief_with_a_point_by(app, world, world.manager)
    (added,) = _audit(app, "debrief.point_added")
    assert added.actor_id == world.manager.id and added.record_id == point_id
    lead = app.test_client()
    assert sign_in(lead, world.supervisor.email).status_code == 302
    assert f"/points/{point_id}/remove" in lead.get(f"/debriefs/{debrief_id}").get_data(
        as_text=True
    )
    assert _remove(lead, debrief_id, point_id).status_code == 302
    (removed,) = _audit(app, "debrief.point_removed")
    assert removed.actor_id == world.supervisor.id and removed.record_id == point_id
    assert "The night checklist helped" in removed.summary

    _, own_point = _debrief_with_a_point_by(app, world, world.manager)
    author = app.test_client()
    assert sign_in(author, world.manager.email).status_code == 302
    assert _remove(author, debrief_id + 1, own_point).status_code == 302


# -- 5. Supervision and observation records leak upwards ---------------------------------------


def _supervision_of(app, supervisee, supervisor, service_id) -> int:
    from app.models import Supervision
    from tests.functional.route_table import DAY

    with app.app_context():
        record = Supervision(
            service_id=service_id,
            supervisor_id=supervisor.id,
            supervisee_id=supervisee.id,
            held_on=DAY,
            discussion={"wellbeing": "Finding the rota change hard at home"},
        )
        db.session.add(record)
        db.session.commit()
        return record.id


def _signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def test_a_supervisor_cannot_read_their_managers_supervision(app, world):
    """The review read /supervision/6: the manager's own supervision, by their supervisor."""
    record_id = _supervision_of(app, world.manager, world.admin, world.willow.id)
    supervisor = _signed_in(app, world.supervisor)
    assert supervisor.get(f"/supervision/{record_id}").status_code == 404
    listing = supervisor.get("/supervision").get_data(as_text=True)
    assert f"/supervision/{record_id}" not in listing
    # The manager it is about, the admin who wrote it: yes.
    assert _signed_in(app, world.manager).get(f"/supervision/{record_id}").status_code == 200
    assert _signed_in(app, world.admin).get(f"/supervision/{record_id}").status_code == 200


def test_a_manager_cannot_read_another_managers_supervision(app, world):
    from tests.conftest import World

    with app.app_context():
        other = World.person(None, "manager2@willow.example.org", Role.MANAGER, _willow(world))
        db.session.commit()
        other_id = other.id
    record_id = _supervision_of(app, world.manager, world.admin, world.willow.id)
    client = app.test_client()
    assert sign_in(client, "manager2@willow.example.org").status_code == 302
    assert client.get(f"/supervision/{record_id}").status_code == 404
    assert other_id


def _willow(world):
    from app.models import Service

    return db.session.get(Service, world.willow.id)


def test_a_supervisor_cannot_read_an_observation_of_their_manager(app, world):
    from app.models import Observation, ObservationStatus
    from tests.functional.test_observations import make_checklist

    with app.app_context():
        template_id = make_checklist(world.willow.id)
        observation = Observation(
            service_id=world.willow.id,
            template_id=template_id,
            staff_id=world.manager.id,
            observer_id=world.admin.id,
            observed_on=date.today(),
            status=ObservationStatus.COMPLETED,
        )
        db.session.add(observation)
        db.session.commit()
        observation_id = observation.id
    supervisor = _signed_in(app, world.supervisor)
    assert supervisor.get(f"/observations/{observation_id}").status_code == 404
    assert f"/observations/{observation_id}" not in supervisor.get("/observe").get_data(
        as_text=True
    )
    assert _signed_in(app, world.manager).get(f"/observations/{observation_id}").status_code == 200


# -- 6. Someone else's draft observation can be finished ---------------------------------------


def _managers_draft_about_the_supervisor(app, world):
    from app.models import ChecklistTemplate
    from app.supervision.observations import start_observation
    from tests.functional.test_observations import make_checklist

    with app.app_context():
        template_id = make_checklist(world.willow.id)
        draft = start_observation(
            db.session.get(User, world.manager.id),
            db.session.get(User, world.supervisor.id),
            db.session.get(ChecklistTemplate, template_id),
            [],
        )
        return draft.id, [item.id for item in draft.items]


def _status(app, observation_id):
    from app.models import Observation

    with app.app_context():
        return db.session.get(Observation, observation_id).status.value


def test_the_person_observed_cannot_finish_the_draft_about_them(app, world):
    """The review: a supervisor completed, as competent, the manager's draft about them."""
    draft_id, items = _managers_draft_about_the_supervisor(app, world)
    for person in (world.supervisor, world.admin):  # the subject, and someone else above
        client = _signed_in(app, person)
        token = csrf_token_from(client.get("/observe").get_data(as_text=True))
        answers = {f"item-{item}": "met" for item in items}
        finished = client.post(
            f"/observe/{draft_id}",
            data={**answers, "outcome": "competent", "csrf_token": token},
        )
        assert finished.status_code == 404
        tapped = client.post(
            f"/observe/{draft_id}/items/{items[0]}",
            data={f"item-{items[0]}": "met", "csrf_token": token},
        )
        assert tapped.status_code == 404
        assert client.get(f"/observe/{draft_id}").status_code == 404
    assert _status(app, draft_id) == "draft"


def test_the_api_refuses_someone_elses_draft_and_observing_yourself(app, world):
    import uuid

    from app.models import Observation
    from tests.functional.test_observations import answers_for
    from tests.functional.test_offline_api import csrf_header

    draft_id, items = _managers_draft_about_the_supervisor(app, world)
    client = _signed_in(app, world.supervisor)
    body = {
        "client_id": str(uuid.uuid4()),
        "draft_id": draft_id,
        **{f"item-{item}": "met" for item in items},
        "outcome": "competent",
    }
    response = client.post("/api/v1/observations", json=body, headers=csrf_header(client))
    assert response.status_code == 400
    assert _status(app, draft_id) == "draft"

    with app.app_context():
        template_id = db.session.get(Observation, draft_id).template_id
        mine = answers_for(template_id, world.supervisor.id)
    own = client.post(
        "/api/v1/observations",
        json={**mine, "client_id": str(uuid.uuid4()), "outcome": "competent"},
        headers=csrf_header(client),
    )
    assert own.status_code == 400
    assert "own practice" in str(own.get_json()["errors"])


def test_a_service_finishing_a_draft_checks_the_observer_too(app, world):
    """The one way an observation is finished refuses another's draft, whoever calls it."""
    from app.models import Observation
    from app.supervision.observations import ObservationInvalid, record_observation

    draft_id, items = _managers_draft_about_the_supervisor(app, world)
    with app.app_context():
        draft = db.session.get(Observation, draft_id)
        answers = {"items": {str(i): {"result": "met"} for i in items}, "outcome": "competent"}
        with pytest.raises(ObservationInvalid):
            record_observation(db.session.get(User, world.supervisor.id), answers, draft=draft)
        with pytest.raises(ObservationInvalid):
            record_observation(db.session.get(User, world.admin.id), answers, draft=draft)
    assert _status(app, draft_id) == "draft"


# -- 2. A password reset or invitation link signs in without two-step sign-in -------------------


def _reset_link_for(app, user) -> str:
    import re

    from app.models import LinkPurpose
    from app.notifications.accounts import issue_link

    with app.app_context():
        url = issue_link(db.session.get(User, user.id), LinkPurpose.PASSWORD_RESET)
        db.session.commit()
    return re.sub(r"^https?://[^/]+", "", url)


def _choose_password(client, path, password="a fresh passphrase for willow"):  # noqa: S107
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_a_reset_link_never_signs_in_past_two_step_sign_in(app, world):
    import pyotp

    from tests.functional.test_account_security import _second_step, _turn_on_two_step

    manager = _signed_in(app, world.manager)
    secret, _codes = _turn_on_two_step(app, manager)

    thief = app.test_client()  # has the mailbox, not the phone
    landed = _choose_password(thief, _reset_link_for(app, world.manager))
    assert landed.status_code == 302
    assert landed.headers["Location"].startswith("/login/two-step")
    assert "Now enter the code from your app" in thief.get(landed.headers["Location"]).get_data(
        as_text=True
    )
    assert thief.get("/").status_code == 302  # not signed in
    assert thief.get("/account").status_code == 302
    assert _second_step(thief, "000000").status_code == 200
    assert thief.get("/").status_code == 302

    with app.app_context():
        step = db.session.get(User, world.manager.id).totp_last_step
    assert _second_step(thief, pyotp.TOTP(secret).generate_otp(step + 1)).status_code == 302
    assert thief.get("/").status_code == 200  # the owner, with their phone, gets in


def test_an_invitation_to_a_manager_leads_straight_into_setting_up_two_step(app, world):
    import re

    from app.models import LinkPurpose
    from app.notifications.accounts import NewPerson, invite_people, issue_link

    with app.app_context():
        (person,) = invite_people(
            None, [NewPerson("Mo Manager", "mo@willow.example.org", Role.MANAGER, world.willow.id)]
        )
        url = issue_link(person, LinkPurpose.INVITATION)
        db.session.commit()
    newcomer = app.test_client()
    landed = _choose_password(newcomer, re.sub(r"^https?://[^/]+", "", url))
    assert landed.headers["Location"] == "/account/two-step"
    page = newcomer.get("/account/two-step").get_data(as_text=True)
    assert "<svg" in page and "set up two-step sign-in" in page


# -- 8. One busy address locks everyone out ----------------------------------------------------


def _fail_from_the_address(app, world, times: int) -> None:
    """`times` wrong guesses from this address, spread over accounts (the care home's
    guest wifi): the first 30 count, then the address is refused."""
    guesser = app.test_client()
    emails = [world.staff.email, world.supervisor.email, world.manager.email]
    emails += [f"guess{n}@willow.example.org" for n in range(times)]
    codes = [sign_in(guesser, email, "a wrong guess").status_code for email in emails[:times]]
    assert codes.count(200) >= 30 and codes[-1] == 429  # the address limit (30) is reached


def test_a_known_device_signs_in_after_thirty_failures_from_its_address(app, world):
    tablet = app.test_client()
    assert sign_in(tablet, world.staff.email).status_code == 302  # signed in here before
    assert tablet.get_cookie("device") is not None
    tablet.post("/logout", data={"csrf_token": csrf_token_from(tablet.get("/").get_data(True))})

    _fail_from_the_address(app, world, 34)

    # An unknown browser at the same address is still throttled, even with the right password,
    assert sign_in(app.test_client(), world.admin.email).status_code == 429
    # and so is the known tablet for an account it has not signed in to before;
    assert sign_in(tablet, world.admin.email).status_code == 429
    # but the tablet's own account, with its right password, gets in.
    assert sign_in(tablet, world.staff.email).status_code == 302
    assert tablet.get("/").status_code == 200


def test_guesses_elsewhere_do_not_lock_the_owners_device_out_but_its_own_guesses_count(app, world):
    tablet = app.test_client()
    assert sign_in(tablet, world.staff.email).status_code == 302
    tablet.post("/logout", data={"csrf_token": csrf_token_from(tablet.get("/").get_data(True))})
    stranger = app.test_client()
    for _ in range(6):
        sign_in(stranger, world.staff.email, "a wrong guess")
    assert sign_in(stranger, world.staff.email).status_code == 429  # unknown devices wait
    assert sign_in(tablet, world.staff.email).status_code == 302  # the owner does not
    tablet.post("/logout", data={"csrf_token": csrf_token_from(tablet.get("/").get_data(True))})
    for _ in range(5):
        assert sign_in(tablet, world.staff.email, "a wrong guess").status_code == 200
    assert sign_in(tablet, world.staff.email).status_code == 429  # its own guesses are slowed


def test_a_forged_or_copied_device_cookie_counts_for_nothing(app, world):
    tablet = app.test_client()
    assert sign_in(tablet, world.staff.email).status_code == 302
    genuine = tablet.get_cookie("device").value
    _fail_from_the_address(app, world, 34)
    forger = app.test_client()
    forger.set_cookie("device", genuine[:-4] + "AAAA")
    assert sign_in(forger, world.staff.email).status_code == 429
    copied = app.test_client()
    copied.set_cookie("device", genuine)  # a copy works only for that account
    assert sign_in(copied, world.manager.email).status_code == 429


def test_the_device_cookie_names_no_one_and_is_httponly(app, world):
    client = app.test_client()
    response = sign_in(client, world.staff.email)
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("device=")][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "carer" not in header and "willow" not in header.lower()


def test_a_forged_post_arriving_without_cookies_does_not_sign_the_person_out(app, world):
    """Another site's post reaches us without our (SameSite) cookies; the refusal must not
    answer with a fresh session cookie that would replace the person's own."""
    visitor = app.test_client(use_cookies=False)
    response = visitor.post(f"/people/{world.staff.id}", data={"role": "admin"})
    assert response.status_code == 400
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
