"""TOTP_ENCRYPTION_KEY: required and checked in production, derived from SECRET_KEY elsewhere."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.auth import twofactor
from app.config import build_config


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/learnloop")
    monkeypatch.setenv("APP_BASE_URL", "https://learnloop.example.org")
    return monkeypatch


def test_production_refuses_to_start_without_a_totp_key(tmp_path, production_env):
    production_env.delenv("TOTP_ENCRYPTION_KEY", raising=False)
    with pytest.raises(RuntimeError, match="TOTP_ENCRYPTION_KEY must be set in production"):
        build_config("production", tmp_path)


def test_a_mistyped_key_stops_start_up_without_showing_the_key(tmp_path, production_env):
    good = Fernet.generate_key().decode()
    production_env.setenv("TOTP_ENCRYPTION_KEY", f"{good},not-a-key")
    with pytest.raises(RuntimeError, match="Fernet keys") as refused:
        build_config("production", tmp_path)
    assert good not in str(refused.value)


def test_production_takes_several_keys_newest_first(tmp_path, production_env):
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"
    production_env.setenv("TOTP_ENCRYPTION_KEY", keys)
    assert build_config("production", tmp_path)["TOTP_ENCRYPTION_KEY"] == keys


def test_development_needs_no_key(tmp_path, monkeypatch):
    monkeypatch.delenv("TOTP_ENCRYPTION_KEY", raising=False)
    assert build_config("development", tmp_path)["TOTP_ENCRYPTION_KEY"] is None


def test_without_a_key_secrets_follow_secret_key(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEY", None)
    with app.app_context():
        sealed = twofactor.seal_secret("JBSWY3DPEHPK3PXP")
        assert twofactor.open_secret(sealed) == "JBSWY3DPEHPK3PXP"
        monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
        with pytest.raises(twofactor.SecretUnreadable):
            twofactor.open_secret(sealed)


def test_with_a_key_changing_secret_key_leaves_secrets_readable(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEY", Fernet.generate_key().decode())
    with app.app_context():
        sealed = twofactor.seal_secret("JBSWY3DPEHPK3PXP")
        monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
        assert twofactor.open_secret(sealed) == "JBSWY3DPEHPK3PXP"
