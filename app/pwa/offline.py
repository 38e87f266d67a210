"""Which pages a signed-in person's device keeps for offline use.

After sign-in the page asks GET /api/v1/session, which lists these URLs; the service worker
then fetches them into its caches. The staff forms come from the navigation (so only forms
that exist and that the person's role reaches); other features add pages with
`@keep_for_offline`, e.g. the library adds the person's induction articles and the latest
bulletins::

    @keep_for_offline
    def induction_reading(user) -> list[str]: ...
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for

from app.models import User
from app.navigation import nav_for

# Pages whose shell the service worker keeps, so they open offline. This is the one list of
# them: the service worker fetches what `offline_urls` names (scripts/sw.js), and the server
# renders a person-free copy of these pages and of library articles alone (app/security.py).
FORM_ENDPOINTS = ("reports.new", "reflections.new", "supervision.observe")
READING_ENDPOINTS = ("library.index",)
OFFLINE_COPY_ENDPOINTS = frozenset((*FORM_ENDPOINTS, *READING_ENDPOINTS, "library.article"))

_providers: list[Callable[[User], list[str]]] = []


def keep_for_offline(provider: Callable[[User], list[str]]) -> Callable[[User], list[str]]:
    _providers.append(provider)
    return provider


def offline_urls(user: User) -> list[str]:
    wanted = FORM_ENDPOINTS + READING_ENDPOINTS
    urls = [url_for(item.endpoint) for item in nav_for(user) if item.endpoint in wanted]
    for provider in _providers:
        urls.extend(provider(user))
    return list(dict.fromkeys(urls))
