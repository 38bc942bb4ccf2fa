"""Retention: erase uploads older than a cutoff, and keep the roll-ups exact.

The technicians' sessions (by when their check ran) and the monitor's alert
events (by their time) older than the cutoff go too: personal data of every
kind ages out together, as an erasure removes all of it
(:mod:`homecare.collector.erasure`).

A provider keeps checks for a limited time. Dropping a month partition of
``uploads`` by hand would leave the roll-ups and their counters
(:mod:`homecare.collector.rollups`) counting homes that are gone, since
they keep no dates; :func:`expire_before` erases the old rows with their
finding and device rows and recomputes each touched installation's roll-ups
from what remains (an installation with nothing left leaves them), so the
unfiltered document stays the one the raw tables give. After a partition
was dropped anyway, :func:`homecare.collector.rollups.backfill` rebuilds
everything.

Installations are handled in batches, one transaction each: a refresh
takes a transaction advisory lock per installation on PostgreSQL, and one
transaction for a whole month would run out of lock slots. On PostgreSQL
the batch marks its installations for the roll-up folder and folds them
after its commit (:mod:`homecare.collector.rollup_queue`), as an erasure
through the API does, so expiry and serving instances never take counter
rows in different orders. The upload ids
stay claimed in ``upload_keys``, so a client that resends an expired upload
does not store it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Engine, Table, delete, select

from homecare.collector import rollup_queue
from homecare.collector.alerts_db import alert_events
from homecare.collector.db import upload_devices, upload_findings, uploads
from homecare.collector.erasure import Erased
from homecare.collector.rollups import refresh_installation
from homecare.collector.sessions_db import tech_sessions

BATCH = 200


def expire_before(
    engine: Engine, before: datetime, provider: str | None = None, batch: int = BATCH
) -> Erased:
    """Erase the uploads whose check ran before *before* (of *provider*, or
    of every provider), and the sessions and alert events older than it;
    how many of each were erased."""
    u = uploads.c
    old = [u.created_at < before, *([u.provider == provider] if provider is not None else [])]
    with engine.connect() as conn:
        touched = sorted(
            (str(p), str(i))
            for p, i in conn.execute(select(u.provider, u.installation_id).where(*old).distinct())
        )
    erased = 0
    for start in range(0, len(touched), batch):
        with engine.begin() as conn:
            deferred = rollup_queue.deferred(conn)
            for owner, inst in touched[start : start + batch]:
                mine = [u.provider == owner, u.installation_id == inst, u.created_at < before]
                ids = select(u.id).where(*mine)
                for table in (upload_findings, upload_devices):
                    c = table.c
                    conn.execute(
                        delete(table).where(
                            c.provider == owner, c.installation_id == inst, c.upload_id.in_(ids)
                        )
                    )
                erased += int(conn.execute(delete(uploads).where(*mine)).rowcount)
                if deferred:
                    rollup_queue.mark(conn, owner, inst)
                else:
                    refresh_installation(conn, owner, inst)
        if deferred:
            rollup_queue.fold_all(engine)
    with engine.begin() as conn:
        sessions = _expire(conn, tech_sessions, tech_sessions.c.created_at < before, provider)
        alerts = _expire(conn, alert_events, alert_events.c.at < before, provider)
    return Erased(uploads=erased, sessions=sessions, alert_events=alerts)


def _expire(conn: Connection, table: Table, old: ColumnElement[bool], provider: str | None) -> int:
    mine = [] if provider is None else [table.c.provider == provider]
    return int(conn.execute(delete(table).where(old, *mine)).rowcount)
