"""Übermittlungssperren in the resident register (objections under §§ 36, 42, 50 BMG)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_transfer_block",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("empfaenger", sa.String(length=20), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["register_person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "empfaenger"),
    )
    with op.batch_alter_table("register_transfer_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_transfer_block_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("register_transfer_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_transfer_block_person_id"))
    op.drop_table("register_transfer_block")
