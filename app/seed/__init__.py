"""Demo data for `flask seed-demo`. Each area adds a function here; all are safe to run twice."""

from app.seed.debriefs import seed_debriefs
from app.seed.governance import seed_governance
from app.seed.library import seed_library
from app.seed.notifications import seed_notifications
from app.seed.people import DEMO_PASSWORD, ORGANISATION, seed_people
from app.seed.reports import seed_reports
from app.seed.safeguarding import seed_safeguarding
from app.seed.supervision import seed_supervision

__all__ = ["DEMO_PASSWORD", "seed_demo"]


def seed_demo() -> list[tuple[str, str, str]]:
    """Create (or top up) the demo organisation; return (email, role, service) for each login."""
    logins = seed_people()
    seed_reports()
    seed_debriefs()
    seed_supervision()
    seed_safeguarding()
    seed_governance()
    seed_notifications()
    seed_library(ORGANISATION)
    return logins
