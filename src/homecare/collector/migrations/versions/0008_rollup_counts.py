"""Exact distinct counts of the unfiltered insights document kept as numbers
(:mod:`homecare.collector.rollup_counts`), and their backfill.

With 0006's per-installation roll-ups the full document still took 3.3 s
at a million uploads, most of it ``count(DISTINCT …)`` sorts of findings by
cohort and of the device mix; these counters hold every such count ready.
Kept at ingest and on deletion from now on; this fills them from the
roll-up rows already stored (which 0006 built and ingest has kept since).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

from homecare.collector import rollup_counts, rollups

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    rollup_counts.metadata.create_all(bind)
    rollup_counts.backfill(bind, rollups.COUNTS)


def downgrade() -> None:
    rollup_counts.metadata.drop_all(op.get_bind())
