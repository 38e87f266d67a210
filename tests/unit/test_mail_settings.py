"""Email settings come from the environment, with safe defaults."""

from __future__ import annotations

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
