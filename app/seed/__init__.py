"""Demo data for `flask seed-demo`. Each area adds a function here; all are safe to run twice."""

from app.seed.library import seed_library
from app.seed.people import DEMO_PASSWORD, ORGANISATION, seed_people

__all__ = ["DEMO_PASSWORD", "seed_demo"]


def seed_demo() -> list[tuple[str, str, str]]:
    """Create (or top up) the demo organisation; return (email, role, service) for each login."""
    logins = seed_people()
    seed_library(ORGANISATION)
    return logins
