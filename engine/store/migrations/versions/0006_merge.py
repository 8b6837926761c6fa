"""Merge the branches that were developed in parallel (messaging, register, identity, designer).

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

revision = "0006"
down_revision = ("0002", "0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
