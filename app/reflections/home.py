"""The home panel: a big "Reflect on a shift" button and how many reflections are recent."""

from __future__ import annotations

from app.home.panels import home_panel
from app.reflections.services import home_counts


@home_panel("reflections/_home_panel.html", order=15)
def reflect_panel(user):
    return home_counts(user)
