"""Exact distinct counts of the unfiltered insights document, kept as numbers.

Even over the per-installation roll-ups of :mod:`homecare.collector.rollups`,
the unfiltered document's fifty-odd ``count(DISTINCT …)`` sorted 200,000 to
400,000 rows each at a million uploads (findings by cohort alone took 2-3 s
on the shared bench machine). These two tables keep every one of those
counts ready, exactly, the way :class:`homecare.collector.rollups.Counter`
keeps the weekly ones:

- ``rollup_count_refs``: per counter, key and sender network, how many
  installations have a roll-up row with that key from that network;
- ``rollup_counts``: per counter and key, the distinct installations (one
  is added when an installation's rows first hold the key, taken away when
  the last one goes) and the distinct networks (those whose reference count
  is above zero).

Nothing is estimated (no HyperLogLog): k-suppression needs the exact counts,
and these are the numbers ``count(DISTINCT inst_key)`` and
``count(DISTINCT net_key)`` give over the roll-up rows (a test compares the
document both ways). A key holds up to two parts (a cohort value, a finding
code), each stored as ``"=" + value``, or ``""`` for NULL, so that a NULL
cohort is a key of its own and the unique index still sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData()
NULL_PART = ""
#: (counter, k1, k2, net_key): one installation's membership of one key from one network
Pair = tuple[str, str, str, int]


def _key_columns() -> list[Column[Any]]:
    return [
        Column("provider", String(64), nullable=False),
        Column("counter", String(40), nullable=False),
        Column("k1", Text, nullable=False),
        Column("k2", Text, nullable=False),
    ]


totals = Table(
    "rollup_counts",
    metadata,
    *_key_columns(),
    Column("installations", Integer, nullable=False),
    Column("networks", Integer, nullable=False),
    Index("rollup_counts_key", "provider", "counter", "k1", "k2", unique=True),
)
refs = Table(
    "rollup_count_refs",
    metadata,
    *_key_columns(),
    Column("net_key", BigInteger, nullable=False),
    Column("refs", Integer, nullable=False),
    Index("rollup_count_refs_key", "provider", "counter", "k1", "k2", "net_key", unique=True),
)


@dataclass(frozen=True)
class Part:
    """One part of a key: a roll-up column; *none_as* groups NULL with a
    value (the device mix groups a missing vendor as "unknown")."""

    column: str
    none_as: str | None = None


@dataclass(frozen=True)
class Count:
    """A counter over *rollup*'s rows, keyed by *parts* (none: everyone);
    *only*: a boolean column a row must have true to count (offers taken)."""

    name: str
    rollup: Table
    parts: tuple[Part, ...] = ()
    only: str | None = None

    def key_of(self, row: Mapping[Any, Any]) -> tuple[str, str] | None:
        """The encoded key of one roll-up row, None when it does not count."""
        if self.only is not None and row[self.only] is not True:
            return None
        encoded = [
            _encode(row[p.column] if row[p.column] is not None else p.none_as) for p in self.parts
        ]
        encoded += [NULL_PART] * (2 - len(encoded))
        return encoded[0], encoded[1]

    def sql_keys(self) -> list[ColumnElement[Any]]:
        """:meth:`key_of` in SQL (the backfill)."""
        out: list[ColumnElement[Any]] = []
        for p in self.parts:
            value: ColumnElement[Any] = self.rollup.c[p.column]
            if p.none_as is not None:
                value = func.coalesce(value, p.none_as)
            out.append(func.coalesce(literal("=", String).concat(value), NULL_PART))
        out += [literal(NULL_PART, String)] * (2 - len(out))
        return out


def _encode(value: Any) -> str:
    return NULL_PART if value is None else "=" + str(value)


def decode(part: str) -> str | None:
    return None if part == NULL_PART else part[1:]


def pairs(conn: Connection, counts: Iterable[Count], provider: str, inst: int) -> set[Pair]:
    """One installation's (counter, key, network) memberships (see :func:`pairs_many`)."""
    return pairs_many(conn, counts, provider, [inst]).get(inst, set())


def pairs_many(
    conn: Connection, counts: Iterable[Count], provider: str, insts: Sequence[int]
) -> dict[int, set[Pair]]:
    """Each installation's (counter, key, network) memberships, read from its
    roll-up rows (one statement per roll-up table for the whole batch)."""
    by_table: dict[str, list[Count]] = {}
    tables: dict[str, Table] = {}
    for c in counts:
        by_table.setdefault(c.rollup.name, []).append(c)
        tables[c.rollup.name] = c.rollup
    out: dict[int, set[Pair]] = {i: set() for i in insts}
    for name, members in by_table.items():
        t = tables[name]
        cols = {"net_key", "inst_key"} | {p.column for c in members for p in c.parts}
        cols |= {c.only for c in members if c.only is not None}
        stmt = select(*(t.c[n] for n in sorted(cols))).where(
            t.c.provider == provider, t.c.inst_key.in_(list(insts))
        )
        for row in conn.execute(stmt).mappings():
            mine = out[int(row["inst_key"])]
            for c in members:
                key = c.key_of(row)
                if key is not None:
                    mine.add((c.name, key[0], key[1], int(row["net_key"])))
    return out


def bump_many(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    rows: list[dict[str, Any]],
    steps: tuple[str, ...],
) -> dict[tuple[Any, ...], int]:
    """Add each row's *steps* columns to its counter row (created when
    missing), all in one statement and in the given order; the new value of
    the first step column by key. Rows where it reaches 0 are removed. One
    statement per table instead of one per key: a home's first upload moves
    some sixty counters."""
    if not rows:
        return {}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + stmt.excluded[c] for c in steps}
    ).returning(*(table.c[k] for k in keys), table.c[steps[0]])
    got = {tuple(r[:-1]): int(r[-1]) for r in conn.execute(stmt)}
    gone = [key for key, value in got.items() if value <= 0]
    if gone:
        conn.execute(delete(table).where(tuple_(*(table.c[k] for k in keys)).in_(gone)))
    return got


def move_pairs(
    conn: Connection,
    tables: tuple[Table, Table],
    key_columns: Sequence[str],
    provider: str,
    old: set[tuple[Any, ...]],
    new: set[tuple[Any, ...]],
) -> None:
    """:func:`move_pairs_many` for one installation."""
    move_pairs_many(conn, tables, key_columns, provider, [(old, new)])


def move_pairs_many(
    conn: Connection,
    tables: tuple[Table, Table],
    key_columns: Sequence[str],
    provider: str,
    changes: Sequence[tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]],
) -> None:
    """Apply a batch of installations' changes of (key..., network) pairs,
    each from its old to its new set, to a (totals, refs) pair of tables.

    The steps of every installation are summed first, so each counter row is
    written once per batch however many homes moved it: first the network
    references, then each key's totals, both in sorted order, so that two
    writers touching the same rows lock them in the same order (no
    deadlock). An installation counts once per key however many networks it
    has there; a network counts while its reference count is above zero, so
    its step is read off the reference's value before and after the batch."""
    n = len(key_columns)
    installation_steps: dict[tuple[Any, ...], int] = {}
    ref_steps: dict[tuple[Any, ...], int] = {}
    for old, new in changes:
        if old == new:
            continue
        old_keys, new_keys = {p[:n] for p in old}, {p[:n] for p in new}
        for key in old_keys ^ new_keys:
            installation_steps[key] = installation_steps.get(key, 0) + (
                1 if key in new_keys else -1
            )
        for p in new - old:
            ref_steps[p] = ref_steps.get(p, 0) + 1
        for p in old - new:
            ref_steps[p] = ref_steps.get(p, 0) - 1
    moved = sorted((p, step) for p, step in ref_steps.items() if step)
    if not moved and not any(installation_steps.values()):
        return
    totals_t, refs_t = tables
    ref_rows = [
        {
            "provider": provider,
            **dict(zip(key_columns, p[:n], strict=True)),
            "net_key": p[n],
            "refs": step,
        }
        for p, step in moved
    ]
    left = bump_many(conn, refs_t, ["provider", *key_columns, "net_key"], ref_rows, ("refs",))
    steps = {key: [i, 0] for key, i in installation_steps.items()}
    for p, step in moved:
        after = left[(provider, *p)]
        network_step = int(after > 0) - int(after - step > 0)
        if network_step:
            steps.setdefault(p[:n], [0, 0])[1] += network_step
    total_rows = [
        {
            "provider": provider,
            **dict(zip(key_columns, key, strict=True)),
            "installations": i,
            "networks": nets,
        }
        for key, (i, nets) in sorted(steps.items())
        if i or nets
    ]
    bump_many(conn, totals_t, ["provider", *key_columns], total_rows, ("installations", "networks"))


def move(conn: Connection, provider: str, old: set[Pair], new: set[Pair]) -> None:
    """:func:`move_pairs` on this module's two tables."""
    move_many(conn, provider, [(old, new)])


def move_many(
    conn: Connection, provider: str, changes: Sequence[tuple[set[Pair], set[Pair]]]
) -> None:
    """:func:`move_pairs_many` on this module's two tables."""
    move_pairs_many(conn, (totals, refs), ("counter", "k1", "k2"), provider, changes)


def backfill(conn: Connection, counts: Iterable[Count]) -> None:
    """Rebuild both tables from the roll-up rows (migration 0008, and after
    :func:`homecare.collector.rollups.backfill`)."""
    conn.execute(delete(refs))
    conn.execute(delete(totals))
    for c in counts:
        r = c.rollup.c
        k1, k2 = c.sql_keys()
        where = [r[c.only].is_(True)] if c.only is not None else []
        rows = (
            select(r.provider, r.inst_key, r.net_key, k1.label("k1"), k2.label("k2"))
            .where(*where)
            .subquery()
        )
        name = literal(c.name, String)
        keys = [rows.c.provider, rows.c.k1, rows.c.k2]
        per_net = select(
            rows.c.provider,
            name,
            rows.c.k1,
            rows.c.k2,
            rows.c.net_key,
            func.count(rows.c.inst_key.distinct()),
        ).group_by(*keys, rows.c.net_key)
        conn.execute(insert(refs).from_select(list(refs.c.keys()), per_net))
        per_key = select(
            rows.c.provider,
            name,
            rows.c.k1,
            rows.c.k2,
            func.count(rows.c.inst_key.distinct()),
            func.count(rows.c.net_key.distinct()),
        ).group_by(*keys)
        conn.execute(insert(totals).from_select(list(totals.c.keys()), per_key))


def read(
    conn: Connection, provider: str
) -> dict[str, list[tuple[str | None, str | None, int, int]]]:
    """Every counter's (key part 1, key part 2, installations, networks) of one provider."""
    t = totals.c
    stmt = select(t.counter, t.k1, t.k2, t.installations, t.networks).where(t.provider == provider)
    out: dict[str, list[tuple[str | None, str | None, int, int]]] = {}
    for counter, k1, k2, i, n in conn.execute(stmt):
        out.setdefault(str(counter), []).append((decode(k1), decode(k2), int(i), int(n)))
    return out
