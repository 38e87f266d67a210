"""Password reset requests wait in their own outbox table (reset_request)

Revision ID: 0017_reset_requests
Revises: 0016_totp_sealed
Create Date: 2026-12-06 20:30:00.000000

Asking for a reset now writes one row whatever the address, and the mail sender turns it
into a reset email (or nothing) afterwards, so the answer takes as long either way.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_reset_requests'
down_revision = '0016_totp_sealed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reset_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reset_request')),
    )


def downgrade():
    op.drop_table('reset_request')
