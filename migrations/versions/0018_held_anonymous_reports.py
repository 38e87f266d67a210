"""Anonymous reports are held, then released to managers in shuffled batches

Revision ID: 0018_held_anonymous_reports
Revises: 0017_reset_requests
Create Date: 2026-12-06 20:30:00.000000

`held_report` keeps an anonymous report from the moment it is sent until its release
(app/reports/anonymity.py). Report numbers become random from here on (set by the app, above
1,000,000); the numbers already given stay as they are.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_held_anonymous_reports'
down_revision = '0017_reset_requests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'held_report',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('sent_window', sa.DateTime(timezone=True), nullable=False),
        sa.Column('release_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('receipt_hash', sa.String(length=64), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=True),
        sa.Column('payload_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_held_report_service_id_service')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_report')),
        sa.UniqueConstraint('client_id', name=op.f('uq_held_report_client_id')),
        sa.UniqueConstraint('receipt_hash', name=op.f('uq_held_report_receipt_hash')),
    )
    with op.batch_alter_table('held_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_report_release_after'), ['release_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_held_report_service_id'), ['service_id'], unique=False)


def downgrade():
    with op.batch_alter_table('held_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_report_service_id'))
        batch_op.drop_index(batch_op.f('ix_held_report_release_after'))
    op.drop_table('held_report')
