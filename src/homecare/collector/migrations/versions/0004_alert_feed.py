"""The per-installation alert feed of consenting monitors.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_events",
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("installation_id", sa.String(32), primary_key=True),
        sa.Column("alert_key", sa.String(16), primary_key=True),
        sa.Column("event", sa.String(8), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("segment", sa.String(16), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alert_events")
