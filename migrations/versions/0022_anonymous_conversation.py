"""A conversation with anonymous reporters, and Web Push subscriptions with their outbox

Revision ID: 0022_anonymous_conversation
Revises: 0021_edit_versions
Create Date: 2026-12-06 23:40:00.000000

`conversation_message` holds the thread beside an anonymous report; the reporter's messages
wait in `held_conversation_message` until their release (app/reports/conversation.py).
`push_subscription` belongs to a person or to one receipt code's hash, never both;
`outbound_push` is the push outbox (app/notifications/push.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_anonymous_conversation'
down_revision = '0021_edit_versions'
branch_labels = None
depends_on = None

KINDS = ('question', 'update', 'answer', 'remembered', 'closed')


def _kind():
    return sa.Enum(*KINDS, name='conversation_message_kind', native_enum=False,
                   create_constraint=True, length=32)


def upgrade():
    op.create_table(
        'conversation_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('kind', _kind(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE',
                                name=op.f('fk_conversation_message_report_id_report')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
                                name=op.f('fk_conversation_message_author_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_message')),
    )
    op.create_index('ix_conversation_message_report', 'conversation_message',
                    ['report_id', 'created_at'])
    op.create_table(
        'held_conversation_message',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('kind', _kind(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('sent_window', sa.DateTime(timezone=True), nullable=False),
        sa.Column('release_after', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE',
                                name=op.f('fk_held_conversation_message_report_id_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_conversation_message')),
    )
    op.create_index(op.f('ix_held_conversation_message_report_id'),
                    'held_conversation_message', ['report_id'])
    op.create_index(op.f('ix_held_conversation_message_release_after'),
                    'held_conversation_message', ['release_after'])
    op.create_table(
        'push_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_hash', sa.String(length=64), nullable=False),
        sa.Column('endpoint', sa.Text(), nullable=False),
        sa.Column('p256dh', sa.String(length=200), nullable=False),
        sa.Column('auth', sa.String(length=100), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('receipt_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(user_id IS NULL) <> (receipt_hash IS NULL)',
                           name=op.f('ck_push_subscription_owner')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE',
                                name=op.f('fk_push_subscription_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
        sa.UniqueConstraint('endpoint_hash', name=op.f('uq_push_subscription_endpoint_hash')),
    )
    op.create_index(op.f('ix_push_subscription_user_id'), 'push_subscription', ['user_id'])
    op.create_index(op.f('ix_push_subscription_receipt_hash'), 'push_subscription',
                    ['receipt_hash'])
    op.create_table(
        'outbound_push',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=True),
        sa.Column('path', sa.String(length=200), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', 'gone',
                                    name='push_status', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id'],
                                ondelete='SET NULL',
                                name=op.f('fk_outbound_push_subscription_id_push_subscription')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_push')),
    )
    op.create_index('ix_outbound_push_status_next', 'outbound_push',
                    ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_outbound_push_subscription_id'), 'outbound_push',
                    ['subscription_id'])


def downgrade():
    op.drop_table('outbound_push')
    op.drop_table('push_subscription')
    op.drop_table('held_conversation_message')
    op.drop_table('conversation_message')
