"""Known devices: OWASP's device cookie, so one busy network address cannot lock everyone out.

Care homes put a whole shift behind one network address. Counting failed sign-ins per address
alone meant thirty wrong guesses from that address (one person, or a script on the guest
wifi) refused everyone's correct password for up to an hour.

So a browser that has signed in to an account gets a device cookie: signed with SECRET_KEY,
HttpOnly, naming the accounts signed in from it (as keyed hashes of their email, never the
email itself) and a random id for the browser. When a browser shows a valid device cookie for
the account it is signing in to:

- the per-address limit does not apply to it (app/auth/views.py, `exempt_when`), and
- its failures count toward that account's limit on that device alone, apart from the
  failures of unknown devices: someone guessing elsewhere cannot lock the owner's own tablet
  out, and guessing from the known tablet is still slowed (5 a minute, ...).

Unknown browsers are limited as before, per address and per account. A stolen device cookie
gives no way in: it exempts from one limit, never from the password or the second step.
https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html (device
cookies).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

_SALT = "learnloop device cookie"
# A shared tablet remembers this many accounts; the oldest drops off.
MAX_ACCOUNTS = 40


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["DEVICE_COOKIE_DAYS"])


def cookie_name() -> str:
    return current_app.config["DEVICE_COOKIE_NAME"]


def account_tag(email: str) -> str:
    """A keyed hash of the account's email: the cookie names accounts without naming people."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    normalised = email.strip().lower().encode()
    return hmac.new(key, b"device:" + normalised, hashlib.sha256).hexdigest()[:24]


def _read() -> dict | None:
    raw = request.cookies.get(cookie_name())
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=int(_lifetime().total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        return None
    return data


def known_device(email: str | None) -> str | None:
    """This browser's id when it has signed in to `email`'s account before, else None."""
    if not email:
        return None
    data = _read()
    if data and account_tag(email) in data["accounts"]:
        return str(data.get("device"))
    return None


def remember(response: Response, email: str) -> Response:
    """After a successful sign-in: add the account to this browser's device cookie."""
    data = _read() or {"device": secrets.token_urlsafe(16), "accounts": []}
    tag = account_tag(email)
    accounts = [a for a in data["accounts"] if a != tag] + [tag]
    data["accounts"] = accounts[-MAX_ACCOUNTS:]
    production = current_app.config["ENV_NAME"] == "production"
    response.set_cookie(
        cookie_name(),
        _serializer().dumps(data),
        max_age=int(_lifetime().total_seconds()),
        path="/",
        secure=production,
        httponly=True,
        samesite="Lax",
    )
    return response
