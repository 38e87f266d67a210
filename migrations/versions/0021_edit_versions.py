"""Edit versions: records several people edit carry a version, so a save from an out-of-date
form is refused instead of overwriting someone else's changes

Revision ID: 0021_edit_versions
Revises: 0020_care_law
Create Date: 2026-12-06 20:30:00.000000

Every existing row starts at version 1 (server default). Adding a column with a constant
default needs no table rebuild on SQLite or PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_edit_versions'
down_revision = '0020_care_law'
branch_labels = None
depends_on = None

TABLES = (
    'report',
    'restrictive_practice',
    'safeguarding_concern',
    'debrief',
    'supervision',
    'meeting',
)


def upgrade():
    for table in TABLES:
        op.add_column(
            table, sa.Column('version', sa.Integer(), nullable=False, server_default='1')
        )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('version')
