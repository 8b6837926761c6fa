"""messaging: outbox kinds, claim tokens, sending authority; inbound mapping and dedupe

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server_default only fills rows written before this revision; the models set the value.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authority_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='xmeld'))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_authority_id'), ['authority_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_message_authority_id_authority', 'authority',
                                    ['authority_id'], ['id'])

    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='xmeld'))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('message_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('authority_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('processed_at', engine.store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint('uq_inbound_message_dedupe_key', ['dedupe_key'])
        batch_op.create_index(batch_op.f('ix_inbound_message_authority_id'), ['authority_id'], unique=False)
        batch_op.create_foreign_key('fk_inbound_message_authority_id_authority', 'authority',
                                    ['authority_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_inbound_message_authority_id_authority', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_inbound_message_authority_id'))
        batch_op.drop_constraint('uq_inbound_message_dedupe_key', type_='unique')
        batch_op.drop_column('processed_at')
        batch_op.drop_column('authority_id')
        batch_op.drop_column('payload')
        batch_op.drop_column('message_name')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('kind')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_message_authority_id_authority', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_authority_id'))
        batch_op.drop_column('claim_token')
        batch_op.drop_column('kind')
        batch_op.drop_column('authority_id')
