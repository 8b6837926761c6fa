"""designer: package drafts

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_draft",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("base_version_id", sa.Uuid(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("lint_note", sa.Text(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("published_version_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["base_version_id"], ["package_version.id"]),
        sa.ForeignKeyConstraint(["published_version_id"], ["package_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("package_draft", schema=None) as batch_op:
        batch_op.create_index("ix_package_draft_service_status", ["service_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("package_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_package_draft_service_status")
    op.drop_table("package_draft")
