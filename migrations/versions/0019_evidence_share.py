"""Share links for the evidence pack (evidence_share)

Revision ID: 0019_evidence_share
Revises: 0018_held_anonymous_reports
Create Date: 2026-12-06 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_evidence_share'
down_revision = '0018_held_anonymous_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('service_ids', sa.JSON(), nullable=False),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('last_month', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('stories', sa.JSON(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('passcode_hash', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_evidence_share_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_evidence_share_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_evidence_share_revoked_by_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_evidence_share_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_share')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_evidence_share_token_hash'))
    )
    with op.batch_alter_table('evidence_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_share_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_share_service_id'), ['service_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_share_service_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_share_organisation_id'))
    op.drop_table('evidence_share')
