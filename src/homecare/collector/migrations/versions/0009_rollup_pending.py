"""Installations whose roll-ups wait to be refreshed (PostgreSQL folds them
apart from the upload's transaction: :mod:`homecare.collector.rollup_queue`).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_pending",
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("installation_id", sa.String(64), primary_key=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("rollup_pending_queued", "rollup_pending", ["queued_at"])


def downgrade() -> None:
    op.drop_index("rollup_pending_queued", "rollup_pending")
    op.drop_table("rollup_pending")
