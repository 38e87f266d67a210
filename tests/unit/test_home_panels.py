"""Home page panels registered by features show only for the people they fit."""

from __future__ import annotations

import pytest

from app.home import panels
from app.registry import PanelRegistry


def test_panels_show_in_order_and_hide_when_they_return_none(app, world):
    home = PanelRegistry("home page panels")
    home.panel("b.html", order=20)(lambda user: {"n": 2})
    home.panel("a.html", order=10)(lambda user: {"n": 1})
    home.panel("hidden.html", order=5)(lambda user: None)
    shown = home.shown(world.staff)
    assert shown == [("a.html", {"n": 1}), ("b.html", {"n": 2})]


def test_two_panels_cannot_claim_the_same_place():
    """Equal orders would fall back on import order, which nobody chose."""
    home = PanelRegistry("home page panels")
    home.panel("a.html", order=10)(lambda user: {})
    with pytest.raises(ValueError, match="order 10"):
        home.panel("b.html", order=10)(lambda user: {})


def test_every_area_registers_its_own_home_panels(app):
    """Each area's panels.py adds its panels when the app is created."""
    modules = {entry.build.__module__ for entry in panels.HOME_PANELS}
    assert {
        "app.reports.panels",
        "app.reflections.panels",
        "app.debriefs.panels",
        "app.supervision.panels",
        "app.library.panels",
        "app.safeguarding.panels",
        "app.governance.panels",
        "app.notifications.panels",
    } == modules


def test_home_page_counts_its_queries(client, signed_in, world, count_queries):
    signed_in(world.staff)
    with count_queries() as counted:
        assert client.get("/").status_code == 200
    # The session, the header's notification count, then at most one query per panel.
    assert counted.count <= 4 + len(panels.HOME_PANELS), counted.statements
