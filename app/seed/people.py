"""The demo organisation, its two services and one login for each role."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, Role, Service, ServiceKind, User

DEMO_PASSWORD = "learnloop-demo"  # noqa: S105  (published demo password; seeding refuses in production)
ORGANISATION = "Demo Care Group"
SERVICES = {"Willow House": ServiceKind.CARE_HOME, "Riverside": ServiceKind.SUPPORTED_LIVING}

# (email, name, role, service, days since they started or None)
DEMO_PEOPLE = [
    ("admin@demo.learnloop", "Amira Khan", Role.ADMIN, "Willow House", None),
    ("manager@willow.demo", "Grace Okafor", Role.MANAGER, "Willow House", None),
    ("supervisor@willow.demo", "Tom Walsh", Role.SUPERVISOR, "Willow House", None),
    ("carer@willow.demo", "Priya Patel", Role.STAFF, "Willow House", None),
    ("newstarter@willow.demo", "Jamie Reid", Role.STAFF, "Willow House", 2),
    ("manager@riverside.demo", "Sam Evans", Role.MANAGER, "Riverside", None),
    ("carer@riverside.demo", "Lena Novak", Role.STAFF, "Riverside", None),
]


def _get_or_create(model, defaults: dict | None = None, **where):
    record = db.session.scalars(select(model).filter_by(**where)).first()
    if record is None:
        record = model(**where, **(defaults or {}))
        db.session.add(record)
        db.session.flush()
    return record


def seed_people() -> list[tuple[str, str, str]]:
    organisation = _get_or_create(Organisation, name=ORGANISATION)
    services = {
        name: _get_or_create(Service, {"kind": kind}, name=name, organisation_id=organisation.id)
        for name, kind in SERVICES.items()
    }
    logins = []
    for email, name, role, service_name, started_days_ago in DEMO_PEOPLE:
        started_on = date.today() - timedelta(days=started_days_ago) if started_days_ago else None
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user = User(
                email=email,
                name=name,
                role=role,
                service_id=services[service_name].id,
                started_on=started_on,
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
        logins.append((email, role.value, service_name))
    db.session.commit()
    return logins
