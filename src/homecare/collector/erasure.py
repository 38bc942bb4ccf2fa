"""A customer's erasure: everything the collector holds about one
installation of one provider, gone in one transaction.

``share --off`` (``DELETE /v1/installations/{id}``) promises that personal
data stays only as long as the person wants it, so the erasure covers every
table keyed by the installation: the uploads with their child rows, the
technicians' sessions (found by the column migration 0007 added) and the
monitor's alert events. Roll-ups forget the installation in the same
transaction, or (deferred, on PostgreSQL) mark it for the folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, delete

from homecare.collector import rollup_queue
from homecare.collector.alerts_db import alert_events
from homecare.collector.db import upload_devices, upload_findings, upload_keys, uploads
from homecare.collector.rollups import forget_installation
from homecare.collector.sessions_db import tech_sessions


@dataclass(frozen=True)
class Erased:
    """How many rows of each kind one erasure removed."""

    uploads: int
    sessions: int
    alert_events: int


def erase_installation(
    engine: Engine, provider: str, installation_id: str, defer_rollups: bool = False
) -> Erased:
    """Erase one installation's uploads (and their child rows), sessions and
    alert events. *defer_rollups*: as for :func:`homecare.collector.db.insert_upload`
    (a refresh of an installation without rows removes it from the roll-ups)."""
    with engine.begin() as conn:
        if defer_rollups and rollup_queue.deferred(conn):
            rollup_queue.mark(conn, provider, installation_id)
        else:
            forget_installation(conn, provider, installation_id)
        for table in (upload_findings, upload_devices, upload_keys):
            _delete(conn, table, provider, installation_id)
        return Erased(
            uploads=_delete(conn, uploads, provider, installation_id),
            sessions=_delete(conn, tech_sessions, provider, installation_id),
            alert_events=_delete(conn, alert_events, provider, installation_id),
        )


def _delete(conn: Connection, table: Table, provider: str, installation_id: str) -> int:
    stmt = delete(table).where(
        table.c.provider == provider, table.c.installation_id == installation_id
    )
    return int(conn.execute(stmt).rowcount)
