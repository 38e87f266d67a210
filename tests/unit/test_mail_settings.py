"""Email settings come from the environment, with safe defaults."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.config import build_config


def test_mail_settings_are_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("MAIL_USE_TLS", "false")
    monkeypatch.setenv("MAIL_USERNAME", "learnloop")
    monkeypatch.setenv("MAIL_PASSWORD", "secret")
    monkeypatch.setenv("MAIL_FROM", "Care Group <learning@example.org>")
    monkeypatch.setenv("INVITATION_HOURS", "48")
    config = build_config("development", tmp_path)
    assert config["MAIL_SERVER"] == "smtp.example.org" and config["MAIL_PORT"] == 2525
    assert config["MAIL_USE_TLS"] is False
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("learnloop", "secret")
    assert config["MAIL_FROM"] == "Care Group <learning@example.org>"
    assert config["INVITATION_HOURS"] == 48


def test_without_a_mail_server_nothing_is_assumed(tmp_path, monkeypatch):
    for name in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "INVITATION_HOURS"):
        monkeypatch.delenv(name, raising=False)
    config = build_config("development", tmp_path)
    assert config["MAIL_SERVER"] is None and config["MAIL_USE_TLS"] is True
    assert config["INVITATION_HOURS"] == 72 and config["MAIL_SEND_AFTER_COMMIT"] is True
    assert build_config("testing", tmp_path)["MAIL_SEND_AFTER_COMMIT"] is False


def test_production_refuses_to_start_without_app_base_url(tmp_path, monkeypatch):
    """Links in emails never come from the request's Host, so production must name itself."""
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/learnloop")
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="APP_BASE_URL must be set in production"):
        build_config("production", tmp_path)
    for wrong in ("learnloop.example.org", "https://learnloop.example.org/path", "ftp://x"):
        monkeypatch.setenv("APP_BASE_URL", wrong)
        with pytest.raises(RuntimeError, match="scheme and host only"):
            build_config("production", tmp_path)
    monkeypatch.setenv("APP_BASE_URL", "https://learnloop.example.org/")
    assert build_config("production", tmp_path)["APP_BASE_URL"] == "https://learnloop.example.org"


def test_development_and_tests_have_a_configured_default(tmp_path, monkeypatch):
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    assert build_config("development", tmp_path)["APP_BASE_URL"] == "http://127.0.0.1:5000"
    assert build_config("testing", tmp_path)["APP_BASE_URL"] == "http://localhost"
