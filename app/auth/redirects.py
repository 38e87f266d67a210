"""Where the app may send a browser next: only ever a path on this site.

Used by sign-in (`next=`) and by the CSRF error page (back to the page the form was on).
Browsers forgive a lot in a Location header: they drop tabs and newlines, read `\\` as `/`,
and treat `//host` and `http:host` as other sites. So instead of listing bad inputs we accept
one shape: a path that starts with a single `/`, holds no backslash, no control character and
no percent-encoded slash or backslash or control character, and that parses with no scheme and
no host.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import request

# Control characters (tab, CR, LF ...), backslashes, and spaces anywhere in the target.
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")


def safe_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None."""
    if not target or len(target) > 2000:
        return None
    decoded = unquote(target)
    for text in (target, decoded):
        if _FORBIDDEN.search(text):
            return None
        if not text.startswith("/") or text.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def same_origin_referrer() -> str | None:
    """The path of the page this request came from, when that page is on this site."""
    referrer = request.headers.get("Referer", "")
    if not referrer:
        return None
    parts = urlsplit(referrer)
    own = urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return safe_path(path)
