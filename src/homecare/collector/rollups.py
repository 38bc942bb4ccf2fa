"""Roll-up tables for the unfiltered insights document, kept at ingest.

The unfiltered document is about fifty exact distinct counts; over the raw
tables each reads one to two million rows. These tables hold, **per
installation**, exactly the distinct rows those counts need (one row per
installation x network x cohort, per installation x network x finding x
cohort, per installation x network x week, ...), so every count over them is
the same ``count(DISTINCT inst_key)`` / ``count(DISTINCT net_key)`` as over
the raw tables (duplicates never change a distinct count), only over far
fewer rows. Nothing is summed across installations, so distinct counts and
the sybil rule (k installations and k networks) stay exact.

Kept exact by recomputing one installation's rows from the raw tables in
the upload's own transaction (:func:`refresh_installation`; on PostgreSQL
under a transaction advisory lock on the installation's key, so two uploads
of one home cannot interleave), removed with the installation
(:func:`forget_installation`), and built for existing rows by migration
0006 (:func:`backfill`). They carry no time column, so only the document
without filters reads them (see :mod:`homecare.collector.queries.sql`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    select,
    text,
)

from homecare.collector.db import upload_devices, upload_findings, uploads
from homecare.collector.extract import key_of

GROUPS = ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band")

metadata = MetaData()


def _table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("provider", String(64), nullable=False),
        Column("inst_key", BigInteger, nullable=False),
        Column("net_key", BigInteger, nullable=False),
        *columns,
        Index(f"{name}_owner", "provider", "inst_key"),
    )


def _like(source: Table, *names: str) -> list[Column[Any]]:
    return [Column(n, source.c[n].type) for n in names]


cohorts = _table(
    "rollup_cohorts",
    *_like(uploads, *GROUPS),
    Column("uploads", Integer, nullable=False),
    Column("d", Float),
    Column("up", Float),
    Column("pct", Float),
)
findings = _table("rollup_findings", *_like(upload_findings, "code", *GROUPS))
weeks = _table("rollup_weeks", *_like(uploads, "week"))
week_findings = _table("rollup_week_findings", *_like(upload_findings, "week", "code"))
hours = _table("rollup_hours", *_like(uploads, "hour"))
devices = _table("rollup_devices", *_like(upload_devices, "kind", "vendor"))
feedback = _table("rollup_feedback", *_like(upload_findings, "code"), Column("s", Float))
offers = _table("rollup_offers", *_like(uploads, "offer_shown", "offer_taken"))


def _grouped(source: Table, *names: str) -> Callable[[list[ColumnElement[bool]]], Select[Any]]:
    """The distinct (provider, installation, network, *names*) rows of *source*."""
    keys = [source.c.provider, source.c.inst_key, source.c.net_key, *(source.c[n] for n in names)]

    def build(where: list[ColumnElement[bool]]) -> Select[Any]:
        return select(*keys).where(*where).group_by(*keys)

    return build


def _cohort_rows(where: list[ColumnElement[bool]]) -> Select[Any]:
    u = uploads.c
    keys = [u.provider, u.inst_key, u.net_key, *(u[g] for g in GROUPS)]
    return (
        select(
            *keys,
            func.count(),
            func.avg(u.download_mbps),
            func.avg(u.upload_mbps),
            func.avg(u.down_pct_of_plan),
        )
        .where(*where)
        .group_by(*keys)
    )


def _feedback_rows(where: list[ColumnElement[bool]]) -> Select[Any]:
    f = upload_findings.c
    keys = [f.provider, f.inst_key, f.net_key, f.code]
    return (
        select(*keys, func.avg(cast(f.feedback_score, Float)))
        .where(*where, f.feedback_score.is_not(None))
        .group_by(*keys)
    )


def _offer_rows(where: list[ColumnElement[bool]]) -> Select[Any]:
    return _grouped(uploads, "offer_shown", "offer_taken")(
        [*where, uploads.c.offer_shown.is_not(None)]
    )


#: each roll-up with its raw table and the statement that fills it
ROLLUPS: tuple[tuple[Table, Table, Callable[[list[ColumnElement[bool]]], Select[Any]]], ...] = (
    (cohorts, uploads, _cohort_rows),
    (findings, upload_findings, _grouped(upload_findings, "code", *GROUPS)),
    (weeks, uploads, _grouped(uploads, "week")),
    (week_findings, upload_findings, _grouped(upload_findings, "week", "code")),
    (hours, uploads, _grouped(uploads, "hour")),
    (devices, upload_devices, _grouped(upload_devices, "kind", "vendor")),
    (feedback, upload_findings, _feedback_rows),
    (offers, uploads, _offer_rows),
)


def refresh_installation(conn: Connection, provider: str, installation_id: str) -> None:
    """Recompute one installation's roll-up rows from the raw tables (in the
    caller's transaction, after its upload rows are written)."""
    inst = key_of(provider, installation_id)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": inst})
    forget_installation(conn, provider, installation_id)
    for table, source, rows in ROLLUPS:
        where = [source.c.provider == provider, source.c.installation_id == installation_id]
        conn.execute(insert(table).from_select(list(table.c.keys()), rows(where)))


def forget_installation(conn: Connection, provider: str, installation_id: str) -> None:
    """Remove one installation from every roll-up (``share --off`` deletes it)."""
    inst = key_of(provider, installation_id)
    for table, _source, _rows in ROLLUPS:
        conn.execute(delete(table).where(table.c.provider == provider, table.c.inst_key == inst))


def backfill(conn: Connection) -> None:
    """Rebuild every roll-up from the raw tables (migration 0006, and after a
    bulk load that bypassed :func:`homecare.collector.db.insert_upload`)."""
    for table, _source, rows in ROLLUPS:
        conn.execute(delete(table))
        conn.execute(insert(table).from_select(list(table.c.keys()), rows([])))
