"""Insights in the database, uploads keyed per provider, shared limits.

- ``uploads`` gets the extracted insight columns (backfilled from the stored
  payloads with the same :func:`homecare.collector.extract.extract` the
  ingest uses), its key becomes ``(provider, id)`` with ``upload_keys`` as
  the duplicate check, and on PostgreSQL it is partitioned by month;
- child tables ``upload_findings`` and ``upload_devices`` carry the
  dimension columns too, so each cross-tab is one table's GROUP BY;
- ``rate_buckets`` (limits shared by instances), ``audit_events`` and
  ``tokens.revoked_at``.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from homecare.collector.extract import extract, parse_time
from homecare.collector.partitions import ensure_partitions
from homecare.collector.schema_columns import (
    audit_columns,
    dimension_columns,
    insight_columns,
    limit_columns,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.create_table("rate_buckets", *limit_columns())
    op.create_table("audit_events", *audit_columns())
    op.create_index("audit_provider_at", "audit_events", ["provider", "at"])
    op.create_table(
        "upload_keys",
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("installation_id", sa.String(64), nullable=False),
    )
    op.create_index("upload_keys_installation", "upload_keys", ["provider", "installation_id"])
    for name, extra in (
        ("upload_findings", [sa.Column("code", sa.String(120), nullable=False)]),
        (
            "upload_devices",
            [sa.Column("kind", sa.String(20), nullable=False), sa.Column("vendor", sa.String(64))],
        ),
    ):
        op.create_table(
            name,
            sa.Column("provider", sa.String(64), nullable=False),
            sa.Column("upload_id", sa.String(36), nullable=False),
            sa.Column("installation_id", sa.String(64), nullable=False),
            *extra,
            *dimension_columns(),
        )

    op.drop_index("uploads_provider_installation", "uploads")
    op.drop_index("uploads_provider_code", "uploads")
    op.rename_table("uploads", "uploads_0001")
    key = ["provider", "id", "created_at"] if pg else ["provider", "id"]
    op.create_table(
        "uploads",
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("installation_id", sa.String(64), nullable=False),
        sa.Column("support_code", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        *insight_columns(),
        sa.PrimaryKeyConstraint(*key, name="uploads_key"),
        postgresql_partition_by="RANGE (created_at)",
    )
    if pg:
        ensure_partitions(bind, date(2025, 1, 1), months_ahead=12)
    _backfill(bind)
    op.drop_table("uploads_0001")
    _indexes()


def _indexes() -> None:
    include: dict[str, Any] = {"postgresql_include": ["inst_key", "net_key"]}
    op.create_index("uploads_provider_code", "uploads", ["provider", "support_code"])
    op.create_index("uploads_provider_installation", "uploads", ["provider", "installation_id"])
    op.create_index(
        "uploads_cohort",
        "uploads",
        ["provider", "plan_tier", "router_vendor", "wifi_band", "connection_type"],
        **include,
    )
    op.create_index("uploads_provider_week", "uploads", ["provider", "week"], **include)
    op.create_index("findings_provider_code", "upload_findings", ["provider", "code"], **include)
    op.create_index(
        "findings_cohort",
        "upload_findings",
        ["provider", "plan_tier", "router_vendor", "wifi_band", "connection_type"],
        **include,
    )
    op.create_index("findings_owner", "upload_findings", ["provider", "installation_id"])
    op.create_index("devices_owner", "upload_devices", ["provider", "installation_id"])


def _backfill(bind: sa.Connection) -> None:
    """Copy the old rows in key order, a batch at a time, extracting columns."""
    meta = sa.MetaData()
    old = sa.Table("uploads_0001", meta, autoload_with=bind)
    new = sa.Table("uploads", meta, autoload_with=bind)
    keys = sa.Table("upload_keys", meta, autoload_with=bind)
    findings = sa.Table("upload_findings", meta, autoload_with=bind)
    devices = sa.Table("upload_devices", meta, autoload_with=bind)
    last: tuple[str, str] | None = None
    while True:
        stmt = sa.select(old).order_by(old.c.provider, old.c.id).limit(_BATCH)
        if last is not None:
            stmt = stmt.where(sa.tuple_(old.c.provider, old.c.id) > sa.tuple_(*last))
        rows = bind.execute(stmt).mappings().all()
        if not rows:
            return
        batch_up, batch_keys, batch_f, batch_d = [], [], [], []
        for r in rows:
            # before 0002 nothing recorded the sender: each legacy upload counts as its own network
            row = extract(json.loads(r["payload"]), f"legacy:{r['installation_id']}", r["provider"])
            owner = {
                "provider": r["provider"],
                "upload_id": r["id"],
                "installation_id": r["installation_id"],
            }
            created = parse_time(r["created_at"])
            shared = {**row.shared(), "created_at": created}
            batch_up.append(
                {
                    **dict(r),
                    **row.columns,
                    "created_at": created,
                    "received_at": _aware(r["received_at"]),
                }
            )
            batch_keys.append(
                {"provider": r["provider"], "id": r["id"], "installation_id": r["installation_id"]}
            )
            batch_f += [{**owner, **shared, "code": c} for c in row.finding_codes]
            batch_d += [{**owner, **shared, "kind": k, "vendor": v} for k, v in row.devices]
        bind.execute(sa.insert(new), batch_up)
        bind.execute(sa.insert(keys), batch_keys)
        if batch_f:
            bind.execute(sa.insert(findings), batch_f)
        if batch_d:
            bind.execute(sa.insert(devices), batch_d)
        last = (rows[-1]["provider"], rows[-1]["id"])


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def downgrade() -> None:
    raise NotImplementedError("0002 reshapes uploads; restore a backup to go back")
