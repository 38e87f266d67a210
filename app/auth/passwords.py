"""Password rules, in one place: every screen and command that sets a password calls
`set_password()` (people admin, `flask create-user`, change my password, and later
invitations and resets).

The rules follow NCSC and OWASP ASVS level 2: at least 8 characters (15 suggested), long
passphrases welcome (up to 128 characters), no composition rules, and common or guessable
passwords refused with zxcvbn, which also checks the person's own name and email.
"""

from __future__ import annotations

from contextlib import suppress

from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

import app.models.people as people_models
from app.models import User
from app.validation import Invalid

PASSWORD_MIN = 8
PASSWORD_SUGGESTED = 15
PASSWORD_MAX = 128
# zxcvbn scores 0 (too guessable) to 4 (very unguessable). 3 means "safely unguessable".
MINIMUM_SCORE = 3
# zxcvbn refuses longer input (its cost grows with length); the first 72 characters of a
# longer passphrase decide.
_CHECKED_LENGTH = 72

HINT = (
    f"At least {PASSWORD_MIN} characters; {PASSWORD_SUGGESTED} or more is better. "
    "A few unrelated words make a strong password that is easy to remember."
)


class PasswordError(Invalid):
    """The password breaks a rule; the message says what to do, in plain words."""


def problem_with(password: str, *, name: str = "", email: str = "") -> str | None:
    """Why `password` cannot be used, or None when it is fine."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use {PASSWORD_MAX} characters or fewer."
    personal = [part for part in [name, email, *name.split(), email.split("@")[0]] if part]
    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=personal)
    if result["score"] < MINIMUM_SCORE:
        return (
            "That password is too easy to guess. Try a few unrelated words, "
            "like a short sentence only you would think of."
        )
    return None


def check(password: str, *, name: str = "", email: str = "") -> None:
    """Raise PasswordError when `password` cannot be used."""
    if problem := problem_with(password, name=name, email=email):
        raise PasswordError(problem)


def set_password(user: User, password: str) -> None:
    """Check `password` against the rules and store its argon2id hash on `user` (no commit)."""
    check(password, name=user.name or "", email=user.email or "")
    user.set_password(password)


# A hash of a password nobody has, made with the hasher in use (tests swap in a cheaper one).
_dummy: dict[str, object] = {}


def _dummy_hash() -> str:
    hasher = people_models._hasher
    if _dummy.get("hasher") is not hasher:
        _dummy.update(hasher=hasher, hash=hasher.hash("no account has this password"))
    return _dummy["hash"]


def matches(user: User | None, password: str) -> bool:
    """Whether `password` is `user`'s, always at the cost of exactly one argon2 check.

    With no such account (or one with no password yet) a dummy hash is checked instead, so
    sign-in takes as long for an unknown email as for a known one and its timing does not
    tell anyone which emails have accounts.
    """
    if user is None or not user.password_hash:
        with suppress(VerificationError, InvalidHashError):
            people_models._hasher.verify(_dummy_hash(), password)
        return False
    return user.check_password(password)
