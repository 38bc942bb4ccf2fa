"""The few reads the desk needs beyond the API's own (SQLAlchemy Core)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from homecare.collector.db import uploads

TIMELINE_LIMIT = 30


@dataclass(frozen=True)
class TimelineEntry:
    """One earlier (or later) check of the same installation: only what the
    anonymized upload holds, so the timeline is as pseudonymous as the data."""

    support_code: str
    created_at: datetime
    payload: dict[str, Any]


def installation_timeline(
    engine: Engine, provider: str, installation_id: str, limit: int = TIMELINE_LIMIT
) -> list[TimelineEntry]:
    """The installation's uploads of this provider, newest check first
    (served by the ``uploads_provider_installation`` index)."""
    stmt = (
        select(uploads.c.support_code, uploads.c.created_at, uploads.c.payload)
        .where(uploads.c.provider == provider, uploads.c.installation_id == installation_id)
        .order_by(uploads.c.created_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [TimelineEntry(r[0], _aware(r[1]), json.loads(r[2])) for r in rows]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
