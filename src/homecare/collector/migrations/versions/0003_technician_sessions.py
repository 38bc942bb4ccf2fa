"""Technicians' signing keys and their signed, anonymized sessions.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "technicians",
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("public_key", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tech_sessions",
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("support_code", sa.String(12), nullable=False),
        sa.Column("job_id", sa.String(64), nullable=True),
        sa.Column("technician", sa.String(120), nullable=False),
        sa.Column("before_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_index("tech_sessions_code", "tech_sessions", ["provider", "support_code"])
    op.create_index("tech_sessions_job", "tech_sessions", ["provider", "job_id"])


def downgrade() -> None:
    op.drop_index("tech_sessions_job", "tech_sessions")
    op.drop_index("tech_sessions_code", "tech_sessions")
    op.drop_table("tech_sessions")
    op.drop_table("technicians")
