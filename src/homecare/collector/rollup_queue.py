"""Roll-up maintenance off the upload's transaction, on PostgreSQL.

Keeping the roll-up counters (:mod:`homecare.collector.rollups`) in each
upload's own transaction makes every installation's first upload of a week
update the same counter rows (the provider's week, week x finding, hour
totals), and a row lock is held until commit: with fsync on, uploads of all
instances queued behind one another on those rows (bench/collector_scale.py:
86-95 % of backends waiting on ``rollup_weeks_totals``, 12-30 uploads/s).

So on PostgreSQL an upload (or an erasure) only marks its installation in
``rollup_pending`` (an upsert of the installation's own row: no shared
row), in the same transaction as its data; after its commit it waits for
the fold lock (a transaction advisory lock shared by every instance) and
folds what is pending: a batch of marks, each refreshed with
:func:`homecare.collector.rollups.refresh_installation`, deleted in the same
transaction. Requests that queue meanwhile find their marks folded by the
holder (group commit: one transaction, one fsync, for many uploads) and
return at once. The roll-ups stay exact and a client reads its own write:
a refresh recomputes the installation from its raw rows (an erased one has
none, so it leaves them), a crash rolls marks and refresh back together,
and insights reads fold what a crash may have left first
(:func:`fold_all`). SQLite (one writer at a time anyway) refreshes inline.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, DateTime, Engine, String, Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from homecare.collector.db import metadata

_log = logging.getLogger("homecare.collector")
_FOLD_LOCK = 0x686F6D65726F6C6C  # "homeroll"
BATCH = 200

rollup_pending = Table(
    "rollup_pending",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("installation_id", String(64), primary_key=True),
    Column("queued_at", DateTime(timezone=True), nullable=False),
)


def deferred(conn: Connection) -> bool:
    """Whether roll-ups are folded apart (PostgreSQL) or refreshed inline."""
    return conn.dialect.name == "postgresql"


def mark(conn: Connection, provider: str, installation_id: str) -> None:
    """Queue one installation for a refresh, in the caller's transaction."""
    stmt = (
        postgresql.insert(rollup_pending)
        .values(provider=provider, installation_id=installation_id, queued_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["provider", "installation_id"])
    )
    conn.execute(stmt)


_TAKE = text(
    "DELETE FROM rollup_pending WHERE (provider, installation_id) IN ("
    " SELECT provider, installation_id FROM rollup_pending ORDER BY queued_at LIMIT :n)"
    " RETURNING provider, installation_id"
)


def fold(engine: Engine, wait: bool = False, batch: int = BATCH) -> int | None:
    """Refresh up to *batch* pending installations in one transaction; how
    many, or None when another folder holds the lock and *wait* is False."""
    from homecare.collector.rollups import refresh_installations  # rollups imports db

    if engine.dialect.name != "postgresql":
        return 0
    with engine.begin() as conn:
        if wait:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _FOLD_LOCK})
        elif not conn.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _FOLD_LOCK}
        ).scalar():
            return None
        taken = sorted((str(p), str(i)) for p, i in conn.execute(_TAKE, {"n": batch}))
        by_provider: dict[str, list[str]] = {}
        for provider, installation_id in taken:
            by_provider.setdefault(provider, []).append(installation_id)
        for provider, ids in sorted(by_provider.items()):  # one batch each, rows in key order
            refresh_installations(conn, provider, ids)
    return len(taken)


def fold_all(engine: Engine) -> None:
    """Fold everything pending (before an insights read). On a read-only
    replica there is nothing to fold into: the primary's folder does it."""
    try:
        while fold(engine, wait=True):
            pass
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "25006":  # read_only_sql_transaction
            raise


def fold_after_write(engine: Engine) -> None:
    """After an upload or erasure committed its mark: wait for the fold lock
    and fold what is pending (usually this request's mark and those of the
    requests that queued meanwhile: one transaction and one commit for the
    group). Once it returns, the roll-ups hold this request's change, so a
    caller reads its own write. A failure leaves the marks for the next fold
    (the data itself is committed already)."""
    try:
        fold(engine, wait=True)
    except DBAPIError as exc:
        _log.warning("roll-up fold failed, left for the next: %s", str(exc).splitlines()[0])
