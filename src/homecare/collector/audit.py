"""An audit trail of support lookups, insights queries and refused logins.

Each event goes to the ``homecare.collector.audit`` logger (for the
provider's log pipeline) and to the ``audit_events`` table (so it can be
queried from any instance). The actor is a prefix of the token's digest,
never the token; the detail is a support code, a filter or a reason, never
payload text.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from homecare.collector.db import audit_events

log = logging.getLogger("homecare.collector.audit")


def record(
    engine: Engine,
    action: str,
    *,
    provider: str | None = None,
    actor: str | None = None,
    source: str | None = None,
    detail: str | None = None,
) -> None:
    """Log and store one event (*actor* is a token digest; 12 hex digits are kept)."""
    short = actor[:12] if actor else None
    log.info("%s provider=%s actor=%s source=%s detail=%s", action, provider, short, source, detail)
    with engine.begin() as conn:
        conn.execute(
            insert(audit_events).values(
                at=datetime.now(UTC),
                provider=provider,
                actor=short,
                source=source,
                action=action,
                detail=(detail or "")[:200] or None,
            )
        )


def recent(engine: Engine, action: str | None = None, limit: int = 100) -> list[dict[str, object]]:
    """The newest events, for the CLI and tests."""
    stmt = select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
    if action is not None:
        stmt = stmt.where(audit_events.c.action == action)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
