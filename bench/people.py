"""The people of the bench's organisation, and what the mixed load needs to know about it.

Run after `flask seed-bulk` on the bench's scratch database (never in production: it gives
every account one known password): `python bench/people.py PLAN.json`. It adds two more care
workers and a supervisor to each bulk service (seed-bulk makes one care worker and one manager
each), publishes the library's articles for the organisation, and writes PLAN.json for
bench/locustfile.py: the accounts by role, the password, the articles and the months that hold
reports.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.library.content import import_content  # noqa: E402
from app.models import Article, Organisation, Role, Service, User  # noqa: E402
from app.seed.bulk import BULK_ORGANISATION, BULK_PASSWORD  # noqa: E402

EXTRA_CARE_WORKERS = 2


def add_people(organisation: Organisation) -> None:
    """Two more care workers and a supervisor for each service, all with the bulk password
    (hashed once: argon2 is slow on purpose, and these accounts are for the bench only)."""
    services = db.session.scalars(
        select(Service).where(Service.organisation_id == organisation.id).order_by(Service.id)
    ).all()
    template = User(name="x", email="x@bulk.learnloop", role=Role.STAFF)
    template.set_password(BULK_PASSWORD)
    existing = set(db.session.scalars(select(User.email)))
    for number, service in enumerate(services, start=1):
        wanted = [(f"carer{number}-{extra}", Role.STAFF) for extra in range(EXTRA_CARE_WORKERS)]
        wanted.append((f"supervisor{number}", Role.SUPERVISOR))
        for local, role in wanted:
            email = f"{local}@bulk.learnloop"
            if email in existing:
                continue
            person = User(name=f"{role.label} {local}", email=email, role=role)
            person.service_id = service.id
            person.password_hash = template.password_hash
            db.session.add(person)
    db.session.commit()


def plan(organisation: Organisation) -> dict:
    people = db.session.scalars(
        select(User)
        .join(Service, User.service_id == Service.id)
        .where(Service.organisation_id == organisation.id)
        .order_by(User.id)
    ).all()
    by_role = {"care_worker": [], "manager": [], "supervisor": []}
    names = {Role.STAFF: "care_worker", Role.MANAGER: "manager", Role.SUPERVISOR: "supervisor"}
    for person in people:
        if person.role in names:
            by_role[names[person.role]].append(person.email)
    articles = db.session.scalars(
        select(Article.slug).where(Article.organisation_id == organisation.id).order_by(Article.id)
    ).all()
    months = (
        db.session.execute(text("SELECT DISTINCT month FROM report_rollup ORDER BY month"))
        .scalars()
        .all()
    )
    return {
        "password": BULK_PASSWORD,
        "accounts": by_role,
        "articles": list(articles),
        "months": [str(m) for m in months] or [date.today().strftime("%Y-%m")],
    }


def main(path: str) -> None:
    app = create_app()
    with app.app_context():
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.name == BULK_ORGANISATION)
        ).one()
        add_people(organisation)
        if not db.session.scalar(
            select(Article.id).where(Article.organisation_id == organisation.id).limit(1)
        ):
            import_content(organisation)
            db.session.commit()
        Path(path).write_text(json.dumps(plan(organisation), indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
