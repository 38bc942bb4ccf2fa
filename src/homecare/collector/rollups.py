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
without filters reads them (see :mod:`homecare.collector.queries.rolled`).
Every distinct count the document needs is also kept as a number: weekly
and hourly by :class:`Counter`, the rest by :data:`COUNTS`
(:mod:`homecare.collector.rollup_counts`, migration 0008), so reading the
document sorts only what no counter can hold (the speed medians).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

from homecare.collector import rollup_counts
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


@dataclass(frozen=True)
class Counter:
    """Exact distinct counts per key kept as numbers: ``totals`` holds, per
    key (a week, a week and finding, an hour), the installations and the
    networks; ``refs`` how many installations each network has under that key.

    An installation adds one to a key's ``installations`` when its rows in
    ``rollup`` first hold the key and takes it away when the last one goes,
    so the number is a count of distinct installations, not a sum of
    uploads; a network counts while its ``refs`` is above zero. Used where
    the per-installation rows stay about as many as the raw rows (a home
    checks in a different week and hour each time)."""

    rollup: Table
    keys: tuple[str, ...]
    totals: Table
    refs: Table


def _counter(rollup: Table, *keys: str) -> Counter:
    name, like = rollup.name, [Column(k, rollup.c[k].type, nullable=False) for k in keys]
    totals = Table(
        f"{name}_totals",
        metadata,
        Column("provider", String(64), nullable=False),
        *like,
        Column("installations", Integer, nullable=False),
        Column("networks", Integer, nullable=False),
        Index(f"{name}_totals_key", "provider", *keys, unique=True),
    )
    refs = Table(
        f"{name}_refs",
        metadata,
        Column("provider", String(64), nullable=False),
        *[Column(k, rollup.c[k].type, nullable=False) for k in keys],
        Column("net_key", BigInteger, nullable=False),
        Column("refs", Integer, nullable=False),
        Index(f"{name}_refs_key", "provider", *keys, "net_key", unique=True),
    )
    return Counter(rollup, keys, totals, refs)


COUNTERS = (
    _counter(weeks, "week"),
    _counter(week_findings, "week", "code"),
    _counter(hours, "hour"),
)

_P = rollup_counts.Part
#: every other distinct count of the unfiltered document (see :mod:`.rollup_counts`)
COUNTS = (
    rollup_counts.Count("cohorts", cohorts),
    *(rollup_counts.Count(f"cohorts:{g}", cohorts, (_P(g),)) for g in GROUPS),
    rollup_counts.Count("findings", findings, (_P("code"),)),
    *(rollup_counts.Count(f"findings:{g}", findings, (_P(g), _P("code"))) for g in GROUPS),
    rollup_counts.Count("devices:kind", devices, (_P("kind"),)),
    rollup_counts.Count("devices:vendor", devices, (_P("vendor", none_as="unknown"),)),
    rollup_counts.Count("feedback", feedback, (_P("code"),)),
    rollup_counts.Count("offers:shown", offers, (_P("offer_shown"),)),
    rollup_counts.Count("offers:taken", offers, (_P("offer_shown"),), only="offer_taken"),
)


def _pairs(
    conn: Connection, c: Counter, provider: str, insts: Sequence[int]
) -> dict[int, set[tuple[Any, ...]]]:
    """Each installation's (key..., network) pairs in the counter's roll-up."""
    r = c.rollup.c
    cols = [r.inst_key, *(r[k] for k in c.keys), r.net_key]
    out: dict[int, set[tuple[Any, ...]]] = {i: set() for i in insts}
    rows = conn.execute(select(*cols).where(r.provider == provider, r.inst_key.in_(list(insts))))
    for row in rows:
        out[int(row[0])].add(tuple(row[1:]))
    return out


def refresh_installation(conn: Connection, provider: str, installation_id: str) -> None:
    """Recompute one installation's roll-up rows from the raw tables (in the
    caller's transaction, after its upload rows are written)."""
    refresh_installations(conn, provider, [installation_id])


def refresh_installations(conn: Connection, provider: str, installation_ids: Sequence[str]) -> None:
    """:func:`refresh_installation` for a batch of one provider's
    installations: the same statements once for all of them, and every
    counter row written once however many homes in the batch moved it."""
    _sync(conn, provider, installation_ids, rebuild=True)


def forget_installation(conn: Connection, provider: str, installation_id: str) -> None:
    """Remove one installation from every roll-up (``share --off`` deletes it)."""
    _sync(conn, provider, [installation_id], rebuild=False)


def _sync(conn: Connection, provider: str, installation_ids: Sequence[str], rebuild: bool) -> None:
    ids = sorted(set(installation_ids))
    if not ids:
        return
    inst_of = {key_of(provider, i): i for i in ids}
    insts = sorted(inst_of)
    if conn.dialect.name == "postgresql":  # in key order: two writers never wait on each other
        conn.execute(
            text(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:ks AS bigint[])) AS k ORDER BY k"
            ),
            {"ks": insts},
        )
    old = [_pairs(conn, c, provider, insts) for c in COUNTERS]
    old_counts = rollup_counts.pairs_many(conn, COUNTS, provider, insts)
    for table, _source, _rows in ROLLUPS:
        conn.execute(delete(table).where(table.c.provider == provider, table.c.inst_key.in_(insts)))
    if rebuild:
        for table, source, rows in ROLLUPS:
            where = [source.c.provider == provider, source.c.installation_id.in_(ids)]
            conn.execute(insert(table).from_select(list(table.c.keys()), rows(where)))
    nothing: dict[int, set[Any]] = {i: set() for i in insts}
    for c, before in zip(COUNTERS, old, strict=True):
        after = _pairs(conn, c, provider, insts) if rebuild else nothing
        changes = [(before[i], after[i]) for i in insts]
        rollup_counts.move_pairs_many(conn, (c.totals, c.refs), c.keys, provider, changes)
    new_counts = rollup_counts.pairs_many(conn, COUNTS, provider, insts) if rebuild else nothing
    rollup_counts.move_many(conn, provider, [(old_counts[i], new_counts[i]) for i in insts])


def backfill(conn: Connection, counts: bool = True) -> None:
    """Rebuild every roll-up from the raw tables (after a bulk load that
    bypassed :func:`homecare.collector.db.insert_upload`); *counts*: also
    the :data:`COUNTS` (False only in migration 0006, before 0008 made
    their tables)."""
    for table, _source, rows in ROLLUPS:
        conn.execute(delete(table))
        conn.execute(insert(table).from_select(list(table.c.keys()), rows([])))
    for c in COUNTERS:
        r = c.rollup.c
        keys = [r.provider, *(r[k] for k in c.keys)]
        conn.execute(delete(c.refs))
        refs = select(*keys, r.net_key, func.count(r.inst_key.distinct()))
        conn.execute(
            insert(c.refs).from_select(list(c.refs.c.keys()), refs.group_by(*keys, r.net_key))
        )
        conn.execute(delete(c.totals))
        totals = select(*keys, func.count(r.inst_key.distinct()), func.count(r.net_key.distinct()))
        conn.execute(insert(c.totals).from_select(list(c.totals.c.keys()), totals.group_by(*keys)))
    if counts:
        rollup_counts.backfill(conn, COUNTS)
