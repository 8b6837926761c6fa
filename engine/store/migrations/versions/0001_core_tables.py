"""core tables

Revision ID: 0001
Revises: -
Create Date: 2026-11-25 16:48:15.754319
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('global_seq', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('case_seq', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_global_hash', sa.String(length=64), nullable=False),
    sa.Column('prev_case_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'case_seq'),
    sa.UniqueConstraint('global_seq')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_case', ['case_id', 'case_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_type'), ['type'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('global_seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('authority',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ags', sa.String(length=8), nullable=True),
    sa.Column('ars', sa.String(length=12), nullable=True),
    sa.Column('verband', sa.String(length=9), nullable=True),
    sa.Column('dvdv_kennung', sa.String(length=64), nullable=True),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('municipalities', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('package_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('published_at', engine.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('service_id', 'content_hash'),
    sa.UniqueConstraint('service_id', 'version_no')
    )
    with op.batch_alter_table('package_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_version_service_id'), ['service_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('package_version_id', sa.Uuid(), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('ready_tasks', sa.JSON(), nullable=False),
    sa.Column('waiting_for', sa.JSON(), nullable=False),
    sa.Column('next_timer_at', engine.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state_seq', sa.Integer(), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('audit_hash', sa.String(length=64), nullable=False),
    sa.Column('started_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', engine.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sandbox', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], ),
    sa.ForeignKeyConstraint(['package_version_id'], ['package_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_authority_status', ['authority_id', 'status'], unique=False)
        batch_op.create_index('ix_cases_next_timer', ['next_timer_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_service_id'), ['service_id'], unique=False)

    op.create_table('case_state',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('serializer', sa.String(length=40), nullable=False),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id', 'seq')
    )
    op.create_table('case_step',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('task_spec', sa.String(length=200), nullable=True),
    sa.Column('task_name', sa.String(length=300), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted', sa.JSON(), nullable=True),
    sa.Column('path', sa.JSON(), nullable=False),
    sa.Column('irreversible', sa.Boolean(), nullable=False),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'seq')
    )
    with op.batch_alter_table('case_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_step_case_id'), ['case_id'], unique=False)

    op.create_table('case_subscription',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('message_name', sa.String(length=200), nullable=False),
    sa.Column('correlation', sa.String(length=500), nullable=False),
    sa.Column('expressions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_subscription_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_subscription_message', ['message_name', 'correlation'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=80), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_case_id'), ['case_id'], unique=False)

    op.create_table('inbound_message',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('message_type', sa.String(length=120), nullable=True),
    sa.Column('message_uuid', sa.String(length=36), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('validation', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('received_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_uuid')
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('message_type', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('reader', sa.String(length=64), nullable=False),
    sa.Column('reader_name', sa.String(length=200), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('validation', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('transport', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', engine.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', engine.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', engine.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sandbox', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_case_id'), ['case_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_case_id'))
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_message')
    op.drop_table('inbound_message')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_case_id'))

    op.drop_table('document')
    with op.batch_alter_table('case_subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_message')
        batch_op.drop_index(batch_op.f('ix_case_subscription_case_id'))

    op.drop_table('case_subscription')
    with op.batch_alter_table('case_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_step_case_id'))

    op.drop_table('case_step')
    op.drop_table('case_state')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_service_id'))
        batch_op.drop_index('ix_cases_next_timer')
        batch_op.drop_index('ix_cases_authority_status')

    op.drop_table('cases')
    with op.batch_alter_table('package_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_version_service_id'))

    op.drop_table('package_version')
    op.drop_table('authority')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_type'))
        batch_op.drop_index('ix_audit_case')

    op.drop_table('audit_event')

