"""The insights statements (SQLAlchemy Core), identical on SQLite and
PostgreSQL except for the median.

Every count is of distinct installations (``i``) and of distinct sender
networks (``n``, for the sybil defence). Speeds are first averaged per
installation, then the median is taken across installations, so one busy
home weighs as much as any other. Each function returns plain rows; the
suppression and the document are in :mod:`.cohorts`.

This is the raw-table path, the reference: the unfiltered document of one
provider is read from the roll-ups instead (:mod:`.rolled`), which share
only the medians here (*rolled* in :func:`speed_medians`); a test compares
both paths on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    Connection,
    Float,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)

from homecare.collector import rollups
from homecare.collector.db import upload_devices, upload_findings, uploads
from homecare.collector.queries.filters import Filters

GROUPS = ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band")
METRICS = ("d", "up", "pct")
Row = Sequence[Any]


def _distinct(col: Any) -> Any:
    return func.count(col.distinct())


def _base(filters: Filters, provider: str | None) -> CTE:
    """One row per (installation, network, cohort): uploads and mean speeds."""
    u = uploads.c
    return (
        select(
            u.inst_key.label("i"),
            u.net_key.label("n"),
            *(u[g] for g in GROUPS),
            func.count().label("uploads"),
            func.avg(u.download_mbps).label("d"),
            func.avg(u.upload_mbps).label("up"),
            func.avg(u.down_pct_of_plan).label("pct"),
        )
        .where(*filters.where(uploads, provider))
        .group_by(u.inst_key, u.net_key, *(u[g] for g in GROUPS))
        .cte("base")
    )


def cohort_sizes(conn: Connection, filters: Filters, provider: str | None) -> list[Row]:
    """(dimension, value, installations, networks, uploads); dimension '*' is everyone."""
    base = _base(filters, provider)
    parts: list[Select[Any]] = [
        select(
            literal("*").label("dim"),
            cast(literal(None), String).label("v"),
            _distinct(base.c.i),
            _distinct(base.c.n),
            func.sum(base.c.uploads),
        )
    ]
    for g in GROUPS:
        parts.append(
            select(
                literal(g),
                base.c[g],
                _distinct(base.c.i),
                _distinct(base.c.n),
                func.sum(base.c.uploads),
            ).group_by(base.c[g])
        )
    return list(conn.execute(union_all(*parts)).all())


def sizes_and_medians(
    conn: Connection, filters: Filters, provider: str | None
) -> tuple[list[Row], list[Row]]:
    """:func:`cohort_sizes` and :func:`speed_medians`; on PostgreSQL in one
    statement (one scan of uploads), since ``percentile_cont`` is an aggregate
    that sits beside the counts."""
    if conn.dialect.name != "postgresql":
        return cohort_sizes(conn, filters, provider), speed_medians(conn, filters, provider)
    base = _base(filters, provider)
    medians = [func.percentile_cont(0.5).within_group(base.c[m]) for m in METRICS]
    behind = _median_support(base, base.c.i, base.c.n)
    counts = (_distinct(base.c.i), _distinct(base.c.n), func.sum(base.c.uploads))
    parts: list[Select[Any]] = [
        select(literal("*"), cast(literal(None), String), *counts, *medians, *behind)
    ]
    for g in GROUPS:
        parts.append(select(literal(g), base.c[g], *counts, *medians, *behind).group_by(base.c[g]))
    rows = list(conn.execute(union_all(*parts)).all())
    sizes: list[Row] = [tuple(r[:5]) for r in rows]
    found: list[Row] = [
        (r[0], r[1], metric, r[5 + j], r[8 + 2 * j], r[9 + 2 * j])
        for r in rows
        if r[0] != "*"
        for j, metric in enumerate(METRICS)
        if r[5 + j] is not None
    ]
    return sizes, found


def _median_support(base: Any, inst: Any, net: Any) -> list[Any]:
    """Per metric: the distinct installations and networks a median is taken
    over (those with a value: a cohort of 50 homes of which 2 ran a speed
    test has a median of 2 homes, which must not show)."""
    out = []
    for m in METRICS:
        has = base.c[m].is_not(None)
        out += [func.count(case((has, inst)).distinct()), func.count(case((has, net)).distinct())]
    return out


def speed_medians(
    conn: Connection,
    filters: Filters,
    provider: str | None,
    rolled: bool = False,
    dims: Sequence[str] = GROUPS,
) -> list[Row]:
    """(dimension, value, metric, median, installations, networks) over
    per-installation means, for *dims* (the roll-up path spreads the
    dimensions over its connections); installations and networks are those
    with a value of that metric, what the median is taken over.

    On PostgreSQL one ``GROUP BY`` per dimension takes all three medians:
    sorting the rows by cohort costs far more than the medians' own sorts
    (3x faster than one statement per metric at 200,000 rows). The roll-up
    rows are read from the table itself: a CTE read five times would be
    materialized first (40 % slower)."""
    base: Any = rollups.cohorts if rolled else _base(filters, provider)
    mine = [base.c.provider == provider] if rolled else []
    inst, net = (base.c.inst_key, base.c.net_key) if rolled else (base.c.i, base.c.n)
    behind = _median_support(base, inst, net)
    if conn.dialect.name == "postgresql":
        per_dim = [
            select(
                literal(g),
                base.c[g],
                *(func.percentile_cont(0.5).within_group(base.c[m]) for m in METRICS),
                *behind,
            )
            .where(*mine)
            .group_by(base.c[g])
            for g in dims
        ]
        return [
            (r[0], r[1], metric, r[2 + j], r[5 + 2 * j], r[6 + 2 * j])
            for r in conn.execute(union_all(*per_dim))
            for j, metric in enumerate(METRICS)
            if r[2 + j] is not None
        ]
    support = {
        (r[0], r[1]): r[2:]
        for r in conn.execute(
            union_all(
                *(
                    select(literal(g), base.c[g], *behind).where(*mine).group_by(base.c[g])
                    for g in dims
                )
            )
        )
    }
    return [
        (g, v, metric, median, *support[(g, v)][2 * METRICS.index(metric) :][:2])
        for g, v, metric, median in _sqlite_medians(conn, base, mine, dims)
    ]


def _sqlite_medians(conn: Connection, base: Any, mine: list[Any], dims: Sequence[str]) -> list[Row]:
    """(dimension, value, metric, median) by window functions (SQLite has no
    ``percentile_cont``)."""
    parts: list[Select[Any]] = []
    for g in dims:
        for metric in METRICS:
            col = base.c[metric]
            ranked = (
                select(
                    base.c[g].label("v"),
                    col.label("x"),
                    func.row_number().over(partition_by=base.c[g], order_by=col).label("rn"),
                    func.count().over(partition_by=base.c[g]).label("c"),
                )
                .where(*mine, col.is_not(None))
                .subquery()
            )
            middle = ranked.c.rn.in_([(ranked.c.c + 1) // 2, (ranked.c.c + 2) // 2])
            parts.append(
                select(literal(g), ranked.c.v, literal(metric), func.avg(cast(ranked.c.x, Float)))
                .where(middle)
                .group_by(ranked.c.v)
            )
    return list(conn.execute(union_all(*parts)).all())


def finding_cells(conn: Connection, filters: Filters, provider: str | None) -> list[Row]:
    """(dimension, value, code, installations, networks); dimension '*' = all homes."""
    f = upload_findings.c
    rows = select(f.inst_key.label("i"), f.net_key.label("n"), f.code, *(f[g] for g in GROUPS))
    fb = rows.where(*filters.where(upload_findings, provider)).distinct().cte("fb")
    parts: list[Select[Any]] = [
        select(
            literal("*"),
            cast(literal(None), String),
            fb.c.code,
            _distinct(fb.c.i),
            _distinct(fb.c.n),
        ).group_by(fb.c.code)
    ]
    for g in GROUPS:
        parts.append(
            select(literal(g), fb.c[g], fb.c.code, _distinct(fb.c.i), _distinct(fb.c.n)).group_by(
                fb.c[g], fb.c.code
            )
        )
    return list(conn.execute(union_all(*parts)).all())


def weekly(conn: Connection, filters: Filters, provider: str | None) -> tuple[list[Row], list[Row]]:
    """Week sizes (week, installations, networks) and cells (week, code, i, n)."""
    week_t, cell_t = uploads, upload_findings
    u, f = week_t.c, cell_t.c
    sizes = conn.execute(
        select(u.week, _distinct(u.inst_key), _distinct(u.net_key))
        .where(*filters.where(week_t, provider))
        .group_by(u.week)
    ).all()
    cells = conn.execute(
        select(f.week, f.code, _distinct(f.inst_key), _distinct(f.net_key))
        .where(*filters.where(cell_t, provider))
        .group_by(f.week, f.code)
    ).all()
    return list(sizes), list(cells)


def hours(conn: Connection, filters: Filters, provider: str | None) -> list[Row]:
    """(hour of day UTC, installations, networks)."""
    source = uploads
    u = source.c
    return list(
        conn.execute(
            select(u.hour, _distinct(u.inst_key), _distinct(u.net_key))
            .where(*filters.where(source, provider))
            .group_by(u.hour)
        ).all()
    )


def devices(conn: Connection, filters: Filters, provider: str | None) -> list[Row]:
    """('kind' | 'vendor', value, installations, networks)."""
    source = upload_devices
    d = source.c
    conds = filters.where(source, provider)
    vendor = func.coalesce(d.vendor, "unknown")
    return list(
        conn.execute(
            union_all(
                select(literal("kind"), d.kind, _distinct(d.inst_key), _distinct(d.net_key))
                .where(*conds)
                .group_by(d.kind),
                select(literal("vendor"), vendor, _distinct(d.inst_key), _distinct(d.net_key))
                .where(*conds)
                .group_by(vendor),
            )
        ).all()
    )


def feedback(conn: Connection, filters: Filters, provider: str | None) -> list[Row]:
    """(code, installations, networks, mean of the installations' mean scores)."""
    f = upload_findings.c
    per = (
        select(
            f.code,
            f.inst_key.label("i"),
            f.net_key.label("n"),
            func.avg(cast(f.feedback_score, Float)).label("s"),
        )
        .where(*filters.where(upload_findings, provider), f.feedback_score.is_not(None))
        .group_by(f.code, f.inst_key, f.net_key)
        .subquery()
    )
    return list(
        conn.execute(
            select(per.c.code, _distinct(per.c.i), _distinct(per.c.n), func.avg(per.c.s)).group_by(
                per.c.code
            )
        ).all()
    )


def offers(conn: Connection, filters: Filters, provider: str | None) -> list[Row]:
    """(offer, shown i, shown n, taken i, taken n)."""
    source = uploads
    u = source.c
    taken = u.offer_taken.is_(True)
    return list(
        conn.execute(
            select(
                u.offer_shown,
                _distinct(u.inst_key),
                _distinct(u.net_key),
                func.count(case((taken, u.inst_key)).distinct()),
                func.count(case((taken, u.net_key)).distinct()),
            )
            .where(*filters.where(source, provider), u.offer_shown.is_not(None))
            .group_by(u.offer_shown)
        ).all()
    )


#: the raw-table sections, by name (run by :func:`.runner.run_sections`)
SECTIONS = {
    "sizes_and_medians": sizes_and_medians,
    "finding_cells": finding_cells,
    "weekly": weekly,
    "hours": hours,
    "devices": devices,
    "feedback": feedback,
    "offers": offers,
}
