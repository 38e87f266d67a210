"""Care law: consent on restrictions, Care Certificate assessments, several CQC notifications per report, the just culture
guide's answers and route, and the DoLS / Court of Protection register

Revision ID: 0020_care_law
Revises: 0019_evidence_share
Create Date: 2026-12-06 20:10:00.000000

A report's single CQC notification (cqc_notification, cqc_sent_on) becomes a map of every
notification the event needs to the date each was sent, filled from the old columns on the
way up and back on the way down (the first one only, where there are several).
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_care_law'
down_revision = '0019_evidence_share'
branch_labels = None
depends_on = None


def _copy_notifications_up():
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, cqc_notification, cqc_sent_on FROM report "
            "WHERE cqc_notification IS NOT NULL AND cqc_notification <> 'not_needed'"
        )
    ).all()
    for report_id, kind, sent_on in rows:
        sent = sent_on.isoformat() if hasattr(sent_on, "isoformat") else sent_on
        bind.execute(
            sa.text("UPDATE report SET cqc_notifications = :value WHERE id = :id").bindparams(
                sa.bindparam("value", type_=sa.JSON)
            ),
            {"value": {kind: sent}, "id": report_id},
        )


def _copy_notifications_down():
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, cqc_notifications FROM report WHERE cqc_notifications IS NOT NULL")
    ).all()
    for report_id, raw in rows:
        value = json.loads(raw) if isinstance(raw, str) else raw
        if not value:
            continue
        kind, sent = next(iter(value.items()))
        bind.execute(
            sa.text(
                "UPDATE report SET cqc_notification = :kind, cqc_sent_on = :sent WHERE id = :id"
            ),
            {"kind": kind, "sent": sent, "id": report_id},
        )


def upgrade():
    op.create_table('liberty_authorisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('person_reference', sa.String(length=40), nullable=False),
    sa.Column('route', sa.Enum('dols_urgent', 'dols_standard', 'court_of_protection', name='liberty_route', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('aged_18_or_over', sa.Boolean(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('applied_to', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('applied', 'authorised', 'refused', 'ended', name='liberty_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('cqc_notified_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_liberty_authorisation_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_liberty_authorisation_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liberty_authorisation'))
    )
    with op.batch_alter_table('liberty_authorisation', schema=None) as batch_op:
        batch_op.create_index('ix_liberty_service_person', ['service_id', 'person_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_liberty_authorisation_service_id'), ['service_id'], unique=False)

    op.create_table('care_certificate_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('standard', sa.Integer(), nullable=False),
    sa.Column('knowledge_assessed_on', sa.Date(), nullable=True),
    sa.Column('competence_observed_on', sa.Date(), nullable=True),
    sa.Column('assessor_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['user_account.id'], name=op.f('fk_care_certificate_assessment_assessor_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_care_certificate_assessment_service_id_service')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_care_certificate_assessment_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_certificate_assessment')),
    sa.UniqueConstraint('user_id', 'standard', name='uq_care_certificate_assessment')
    )
    with op.batch_alter_table('care_certificate_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_certificate_assessment_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_certificate_assessment_user_id'), ['user_id'], unique=False)

    op.add_column('restrictive_practice', sa.Column('consented', sa.Boolean(), nullable=True))
    op.add_column('report', sa.Column('cqc_notifications', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    op.add_column('report', sa.Column('learning_disability_or_autism', sa.Boolean(), nullable=True))
    op.add_column('report', sa.Column('just_culture_answers', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    op.add_column('report', sa.Column('just_culture_route', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    _copy_notifications_up()
    op.drop_column('report', 'cqc_sent_on')
    op.drop_column('report', 'cqc_notification')


def downgrade():
    op.add_column('report', sa.Column('cqc_notification', sa.String(length=32), nullable=True))
    op.add_column('report', sa.Column('cqc_sent_on', sa.Date(), nullable=True))
    _copy_notifications_down()
    op.drop_column('report', 'just_culture_route')
    op.drop_column('report', 'just_culture_answers')
    op.drop_column('report', 'learning_disability_or_autism')
    op.drop_column('report', 'cqc_notifications')
    op.drop_column('restrictive_practice', 'consented')
    with op.batch_alter_table('care_certificate_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_certificate_assessment_user_id'))
        batch_op.drop_index(batch_op.f('ix_care_certificate_assessment_service_id'))
    op.drop_table('care_certificate_assessment')
    with op.batch_alter_table('liberty_authorisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_liberty_authorisation_service_id'))
        batch_op.drop_index('ix_liberty_service_person')

    op.drop_table('liberty_authorisation')
