"""The command-line tasks."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User


def test_seed_demo_creates_every_demo_login_and_is_safe_to_run_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    for email in (
        "admin@demo.learnloop",
        "manager@willow.demo",
        "supervisor@willow.demo",
        "carer@willow.demo",
        "newstarter@willow.demo",
        "manager@riverside.demo",
        "carer@riverside.demo",
    ):
        assert email in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 7
        newstarter = db.session.scalars(
            select(User).where(User.email == "newstarter@willow.demo")
        ).one()
        assert newstarter.started_on is not None
        assert newstarter.check_password("learnloop-demo")


def test_seed_demo_refuses_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0
    assert "refuses" in result.output


def test_create_user_makes_the_first_admin(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "Boss@Example.org",
            "--name",
            "Boss",
            "--organisation",
            "Acme Care",
            "--service",
            "Oak Lodge",
            "--password",
            "a strong passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        boss = db.session.scalars(select(User).where(User.email == "boss@example.org")).one()
        assert boss.role is Role.ADMIN and boss.service.organisation.name == "Acme Care"


def test_create_user_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "a@b.org",
            "--name",
            "A",
            "--organisation",
            "O",
            "--service",
            "S",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
