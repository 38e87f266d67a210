"""Home page panels registered by features show only for the people they fit."""

from __future__ import annotations

from app.home import panels


def test_panels_show_in_order_and_hide_when_they_return_none(app, world, monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    panels.home_panel("b.html", order=20)(lambda user: {"n": 2})
    panels.home_panel("a.html", order=10)(lambda user: {"n": 1})
    panels.home_panel("hidden.html", order=5)(lambda user: None)
    shown = panels.panels_for(world.staff)
    assert shown == [("a.html", {"n": 1}), ("b.html", {"n": 2})]


def test_home_page_counts_its_queries(client, signed_in, world, count_queries):
    signed_in(world.staff)
    with count_queries() as counted:
        assert client.get("/").status_code == 200
    # The page itself, plus at most one query for each feature's panel.
    assert counted.count <= 3 + len(panels._PANELS), counted.statements
