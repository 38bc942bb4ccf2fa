"""Roll-up tables for the unfiltered insights document, and their backfill.

The full document's distinct counts read 1-2 million raw rows each at a
provider's scale (8.4 s at 1M uploads); the roll-ups of
:mod:`homecare.collector.rollups` hold each installation's distinct rows, so
the same counts read a fraction of that. Kept at ingest from now on; this
fills them from the rows already stored.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

from homecare.collector import rollups

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    rollups.metadata.create_all(bind)
    rollups.backfill(bind, counts=False)  # their tables come with 0008


def downgrade() -> None:
    rollups.metadata.drop_all(op.get_bind())
