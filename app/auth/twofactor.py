"""Two-step sign-in with an authenticator app (TOTP, RFC 6238), for managers and admins.

Turning it on: `new_secret()` makes a secret kept (sealed) in the browser session until the
person proves their app works with `enable()`, which stores it and returns ten single-use
recovery codes, shown once and kept only as hashes. At sign-in, `verify()` accepts a current
code (never the same one twice) or an unused recovery code.

The server must read the secret to check a code, so it cannot be hashed like a password.
Instead it is sealed (Fernet: AES-128-CBC with an HMAC-SHA256) with TOTP_ENCRYPTION_KEY, held
outside the database: a stolen database dump or backup alone cannot make codes. The setting
holds one or more keys, newest first (MultiFernet): new secrets are sealed with the first,
any of them opens, and `reseal_all()` (`flask --app wsgi twofactor rotate-key`) moves every
secret to the first so older keys can be dropped.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, select, update

from app.audit import log_event
from app.extensions import db
from app.models import RecoveryCode, Role, User, utcnow

ISSUER = "LearnLoop"
RECOVERY_CODES = 10
ROLES_OFFERED = (Role.MANAGER, Role.ADMIN)


def offered_to(user: User) -> bool:
    return user.role in ROLES_OFFERED


def new_secret() -> str:
    return pyotp.random_base32()


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys opens: the database was copied to a
    server with another TOTP_ENCRYPTION_KEY, or a key was dropped before `rotate-key` ran."""


# HKDF's "info" label: the key derived for development is used for nothing but these secrets.
_DERIVED_KEY_LABEL = b"LearnLoop TOTP secrets v1"


def derived_key(secret_key: str | bytes) -> bytes:
    """The Fernet key used when TOTP_ENCRYPTION_KEY is unset (development and tests only:
    production refuses to start without it).

    Deriving it keeps `make run` and the tests free of setup while still sealing secrets
    with a key that lives outside the database (SECRET_KEY is in instance/secret_key or the
    environment). HKDF with its own label gives a key unrelated to SECRET_KEY's other uses.
    Production needs a key of its own so that changing SECRET_KEY, which only ends sign-ins,
    never makes every two-step secret unreadable, and so each can be rotated on its own.
    """
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVED_KEY_LABEL)
    return base64.urlsafe_b64encode(hkdf.derive(material))


@lru_cache(maxsize=8)
def _fernets(configured: str, secret_key: str | bytes) -> tuple[Fernet, ...]:
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    return tuple(Fernet(key) for key in keys or [derived_key(secret_key)])


def _keys() -> tuple[Fernet, ...]:
    """The app's keys, newest first (cached: HKDF and key parsing once, not per sign-in)."""
    config = current_app.config
    return _fernets(config.get("TOTP_ENCRYPTION_KEY") or "", config["SECRET_KEY"])


def seal_secret(secret: str) -> str:
    """Seal a base32 secret with the newest key, for the database (or the session cookie)."""
    return MultiFernet(_keys()).encrypt(secret.encode()).decode()


def open_secret(sealed: str) -> str:
    """The base32 secret inside `sealed`; SecretUnreadable when no configured key opens it."""
    try:
        return MultiFernet(_keys()).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable from None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup made here on the server (no script, no style)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", svgclass="qr", lineclass=None
    )


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)  # 10 hex characters, shown as xxxxx-xxxxx
    return f"{raw[:5]}-{raw[5:]}"


def _totp_step(secret: str, code: str) -> int | None:
    """The time step `code` belongs to (allowing one step of clock drift), or None."""
    totp = pyotp.TOTP(secret)
    code = _normalise(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    now = utcnow()
    for drift in (0, -1, 1):
        step = totp.timecode(now) + drift
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Store `secret` when `code` proves the app works; return the new recovery codes."""
    step = _totp_step(secret, code)
    if step is None:
        return None
    user.totp_secret_sealed = seal_secret(secret)
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    log_event("auth.two_factor_enabled", user)
    db.session.commit()
    return codes


def disable(user: User) -> None:
    user.totp_secret_sealed = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    log_event("auth.two_factor_disabled", user)
    db.session.commit()


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def verify(user: User, code: str) -> str | None:
    """Check a sign-in code: "totp", "recovery_code", or None when it does not fit.

    Six digits are an app code; anything else is tried as a recovery code. Recovery codes are
    hashes, not sealed, so they still work when the secret cannot be opened: then an app
    code raises SecretUnreadable for the caller to explain, rather than a plain "wrong code".
    Changes are flushed, not committed: the caller commits with the sign-in.
    """
    if not user.two_step_on:
        return None
    if _looks_like_app_code(code):
        return "totp" if _use_app_code(user, code) else None
    return "recovery_code" if _use_recovery_code(user, code) else None


def _looks_like_app_code(code: str) -> bool:
    code = _normalise(code)
    return len(code) == 6 and code.isdigit()


def _use_app_code(user: User, code: str) -> bool:
    step = _totp_step(open_secret(user.totp_secret_sealed), code)
    if step is None:
        return False
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return False  # already used: a code overheard or replayed
    user.totp_last_step = step
    return True


def _use_recovery_code(user: User, code: str) -> bool:
    recovery = db.session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    log_event("auth.recovery_code_used", user, actor=user)
    return True


@dataclass
class Rotation:
    resealed: int = 0
    already_current: int = 0
    unreadable: list[int] = field(default_factory=list)  # user ids


def reseal_all() -> Rotation:
    """Seal every stored secret with the newest key, so the older keys can then be dropped.

    Each change is a conditional UPDATE (only if the secret is still the one read), so a
    person turning two-step sign-in off or on meanwhile is never undone; each is audited.
    Secrets no key opens are left as they are and listed. Commits.
    """
    keys = _keys()
    result = Rotation()
    users = db.session.scalars(
        select(User).where(User.totp_secret_sealed.is_not(None)).order_by(User.id)
    ).all()
    for user in users:
        sealed = user.totp_secret_sealed
        if _opens_with(keys[0], sealed):
            result.already_current += 1
        elif (fresh := _reseal(keys, sealed)) is None:
            result.unreadable.append(user.id)
        elif _replace_sealed(user, sealed, fresh):
            log_event("auth.two_factor_key_rotated", user, actor=None)
            result.resealed += 1
    db.session.commit()
    return result


def _opens_with(key: Fernet, sealed: str) -> bool:
    try:
        key.decrypt(sealed.encode())
    except InvalidToken:
        return False
    return True


def _reseal(keys: tuple[Fernet, ...], sealed: str) -> str | None:
    try:
        return MultiFernet(keys).rotate(sealed.encode()).decode()
    except InvalidToken:
        return None


def _replace_sealed(user: User, old: str, new: str) -> bool:
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret_sealed == old)
        .values(totp_secret_sealed=new)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)
