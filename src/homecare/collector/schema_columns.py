"""Column sets of the insight tables (schema version 0002), as functions
because a SQLAlchemy ``Column`` belongs to one table: ``db.py`` and the
0002 migration both call them. A later schema change adds new functions and
a new migration rather than editing these.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    SmallInteger,
    String,
)


def dimension_columns() -> list[Column[object]]:
    """What every insight row is filtered and grouped by (see extract.Extracted.shared)."""
    return [
        Column("plan_tier", String(64)),
        Column("router_vendor", String(64)),
        Column("router_model", String(64)),
        Column("connection_type", String(16)),
        Column("wifi_band", String(8)),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("week", Date, nullable=False),
        Column("hour", SmallInteger, nullable=False),
        Column("source_net", String(64)),
        Column("feedback_score", SmallInteger),
        # integer keys of installation and network: what insights count (extract.key_of)
        Column("inst_key", BigInteger, nullable=False),
        Column("net_key", BigInteger, nullable=False),
    ]


def insight_columns() -> list[Column[object]]:
    """The uploads table's extracted columns (created_at is its own column there)."""
    shared = [c for c in dimension_columns() if c.name != "created_at"]
    return [
        *shared,
        Column("plan_down_mbps", Float),
        Column("os_family", String(16)),
        Column("healthy", Boolean),
        Column("segment", String(16)),
        Column("download_mbps", Float),
        Column("upload_mbps", Float),
        Column("down_pct_of_plan", Float),
        Column("offer_shown", String(64)),
        Column("offer_taken", Boolean),
    ]


def limit_columns() -> list[Column[object]]:
    """The shared rate-limit bucket (see :mod:`homecare.collector.ratelimit`)."""
    return [
        Column("key", String(200), primary_key=True),
        Column("tokens", Float, nullable=False),
        Column("stamp", Float, nullable=False),
        Column("allowed", Integer, nullable=False),
    ]


def audit_columns() -> list[Column[object]]:
    """Who looked up what, and refused logins (see :mod:`homecare.collector.audit`)."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("provider", String(64)),
        Column("actor", String(16)),
        Column("source", String(64)),
        Column("action", String(32), nullable=False),
        Column("detail", String(200)),
    ]
