"""On phones each role keeps its few most used links in view; the rest go behind "Menu"."""

from __future__ import annotations

from app.models import Role
from app.navigation import NAV_ITEMS, PRIMARY, PRIMARY_MAX


def test_every_role_keeps_at_most_three_links_it_can_open_in_view():
    items = {item.endpoint: item for item in NAV_ITEMS}
    for role in Role:
        assert 1 <= len(PRIMARY[role]) <= PRIMARY_MAX
        for endpoint in PRIMARY[role]:
            assert role.rank >= items[endpoint].role.rank, (role, endpoint)
