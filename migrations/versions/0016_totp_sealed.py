"""Two-step sign-in secrets sealed with TOTP_ENCRYPTION_KEY (totp_secret becomes totp_secret_sealed)

Revision ID: 0016_totp_sealed
Revises: 0015_perf
Create Date: 2026-11-27 09:00:00.000000

The plaintext column is replaced by a wider one holding Fernet tokens; existing secrets are
sealed on the way up and opened again on the way down, with the running app's key. The key
logic is a frozen copy of app/auth/twofactor.py at this revision (migrations import no app
code); tests/functional/test_totp_sealing.py checks the app opens what this seals.

Adding and dropping columns, rather than altering one, keeps SQLite from rebuilding
user_account, which every other table refers to (SQLite drops columns natively since 3.35).
"""
import base64

from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0016_totp_sealed'
down_revision = '0015_perf'
branch_labels = None
depends_on = None

_DERIVED_KEY_LABEL = b"LearnLoop TOTP secrets v1"


def _keys():
    """TOTP_ENCRYPTION_KEY's keys, newest first; unset: the key derived from SECRET_KEY."""
    configured = current_app.config.get("TOTP_ENCRYPTION_KEY") or ""
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if not keys:
        secret_key = current_app.config["SECRET_KEY"]
        material = secret_key.encode() if isinstance(secret_key, str) else secret_key
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVED_KEY_LABEL)
        keys = [base64.urlsafe_b64encode(hkdf.derive(material))]
    return MultiFernet([Fernet(key) for key in keys])


def _seal(keys, secret):
    return keys.encrypt(secret.encode()).decode()


def _open(keys, sealed):
    try:
        return keys.decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            "A two-step secret opens with no key in TOTP_ENCRYPTION_KEY: set the key it was "
            "sealed with before going down past 0016_totp_sealed."
        ) from None


def _copy(source, target, change):
    """Fill `target` from `source` through `change`, row by row."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(f"SELECT id, {source} FROM user_account WHERE {source} IS NOT NULL")
    ).all()
    keys = _keys() if rows else None
    for user_id, value in rows:
        bind.execute(
            sa.text(f"UPDATE user_account SET {target} = :value WHERE id = :id"),
            {"value": change(keys, value), "id": user_id},
        )


def upgrade():
    op.add_column('user_account', sa.Column('totp_secret_sealed', sa.String(length=255), nullable=True))
    _copy('totp_secret', 'totp_secret_sealed', _seal)
    op.drop_column('user_account', 'totp_secret')


def downgrade():
    op.add_column('user_account', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    _copy('totp_secret_sealed', 'totp_secret', _open)
    op.drop_column('user_account', 'totp_secret_sealed')
