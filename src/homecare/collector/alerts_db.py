"""The per-installation alert feed in the collector's database (migration 0004).

A monitor that was allowed to share sends each alert event once (retries
are idempotent: the key is the provider, installation, alert and event), so
the provider can reach out ("we saw your line drop four times last night").
Only the code, the event, the segment and the time arrive; nothing that
names the home.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, String, Table, insert, select
from sqlalchemy.exc import IntegrityError

from homecare.collector.db import metadata

alert_events = Table(
    "alert_events",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("installation_id", String(32), primary_key=True),
    Column("alert_key", String(16), primary_key=True),
    Column("event", String(8), primary_key=True),
    Column("code", String(64), nullable=False),
    Column("segment", String(16)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class AlertEvent:
    alert_key: str
    event: str
    code: str
    segment: str | None
    at: datetime
    received_at: datetime


def insert_alert_event(
    engine: Engine,
    *,
    provider: str,
    installation_id: str,
    alert_key: str,
    event: str,
    code: str,
    segment: str | None,
    at: datetime,
) -> bool:
    """Store one event; False when it arrived before (a retry)."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(alert_events).values(
                    provider=provider, installation_id=installation_id, alert_key=alert_key,
                    event=event, code=code, segment=segment, at=at,
                    received_at=datetime.now(UTC),
                )
            )  # fmt: skip
    except IntegrityError:
        return False
    return True


def alert_feed(
    engine: Engine, provider: str, installation_id: str, limit: int = 200
) -> list[AlertEvent]:
    """This installation's events, newest first (only the caller's provider's)."""
    query = (
        select(alert_events)
        .where(alert_events.c.provider == provider)
        .where(alert_events.c.installation_id == installation_id)
        .order_by(alert_events.c.at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        AlertEvent(r.alert_key, r.event, r.code, r.segment, _aware(r.at), _aware(r.received_at))
        for r in rows
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
