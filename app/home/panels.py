"""Home page panels. Each feature registers what it shows on `/`, so the home page grows with
the product without one template knowing every feature.

    @home_panel("reports/_home_panel.html", order=10)
    def my_reports(user):
        return {"reports": ...}   # or None to show nothing for this person
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    build: Callable[[User], dict | None]


_PANELS: dict[str, Panel] = {}


def home_panel(template: str, order: int = 50) -> Callable:
    """Register `build(user) -> context | None` to render `template` on the home page."""

    def register(build: Callable[[User], dict | None]) -> Callable:
        _PANELS[template] = Panel(template, order, build)
        return build

    return register


def panels_for(user: User) -> list[tuple[str, dict]]:
    """The (template, context) pairs to show `user`, in order; a None context hides a panel."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        context = panel.build(user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
