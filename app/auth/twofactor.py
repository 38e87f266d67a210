"""Two-step sign-in with an authenticator app (TOTP, RFC 6238), for managers and admins.

Turning it on: `new_secret()` makes a secret kept in the browser session until the person
proves their app works with `enable()`, which stores it and returns ten single-use recovery
codes, shown once and kept only as hashes. At sign-in, `verify()` accepts a current code
(never the same one twice) or an unused recovery code.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from sqlalchemy import delete, select

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
    user.totp_secret = secret
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    log_event("auth.two_factor_enabled", user)
    db.session.commit()
    return codes


def disable(user: User) -> None:
    user.totp_secret = None
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

    Changes are flushed, not committed: the caller commits with the sign-in.
    """
    if not user.totp_secret:
        return None
    step = _totp_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None  # already used: a code overheard or replayed
        user.totp_last_step = step
        return "totp"
    recovery = db.session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if recovery is None:
        return None
    recovery.used_at = utcnow()
    log_event("auth.recovery_code_used", user, actor=user)
    return "recovery_code"
