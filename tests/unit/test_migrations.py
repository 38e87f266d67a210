"""Migrations build the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.models import Base
from app.models.base import include_name, render_migration_item


def _pending_changes():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_item": render_migration_item,
                "include_name": include_name,
            },
        )
        return compare_metadata(context, Base.metadata)


def test_migrations_match_the_models(app):
    with app.app_context():
        assert _pending_changes() == []


def test_migrations_go_down_to_empty_and_back_up(app):
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        assert _pending_changes() == []
