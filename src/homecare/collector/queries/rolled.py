"""The unfiltered document of one provider, read from the roll-ups.

Every distinct count is ready in a counter (:mod:`homecare.collector.rollup_counts`
and the weekly/hourly :class:`homecare.collector.rollups.Counter`), so they
all come from one small statement; what is left to compute is what no
counter can hold: the speed medians (over each installation's mean, from
``rollup_cohorts``), the mean feedback scores and the upload total. On
PostgreSQL each metric's medians run on a connection of their own (see
:mod:`.runner`). :func:`assemble` turns the results into the rows the
raw-table statements of :mod:`.sql` return, so :mod:`.cohorts` builds (and
suppresses) one document from either path.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import Connection, func, select

from homecare.collector import rollup_counts, rollups
from homecare.collector.queries import sql
from homecare.collector.queries.filters import Filters
from homecare.collector.queries.runner import Section

Counts = dict[str, list[tuple[str | None, str | None, int, int]]]


def _counts(conn: Connection, provider: str) -> dict[str, Any]:
    """Every counter, the weekly and hourly ones, the feedback means and the upload total."""
    w, c, h = (counter.totals.c for counter in rollups.COUNTERS)
    fb, co = rollups.feedback.c, rollups.cohorts.c
    means = select(fb.code, func.avg(fb.s)).where(fb.provider == provider).group_by(fb.code)
    return {
        "counts": rollup_counts.read(conn, provider),
        "uploads": conn.execute(
            select(func.sum(co.uploads)).where(co.provider == provider)
        ).scalar_one(),
        "week_sizes": list(
            conn.execute(select(w.week, w.installations, w.networks).where(w.provider == provider))
        ),
        "week_cells": list(
            conn.execute(
                select(c.week, c.code, c.installations, c.networks).where(c.provider == provider)
            )
        ),
        "hours": list(
            conn.execute(select(h.hour, h.installations, h.networks).where(h.provider == provider))
        ),
        "feedback_means": {str(code): mean for code, mean in conn.execute(means)},
    }


#: the medians' dimensions per section: each costs about one sort of
#: ``rollup_cohorts``, one section per dimension spreads them over the connections
MEDIAN_SPLIT = tuple((g,) for g in sql.GROUPS)


def _medians(conn: Connection, provider: str, dims: tuple[str, ...]) -> list[sql.Row]:
    return sql.speed_medians(conn, Filters(), provider, rolled=True, dims=dims)


def sections(provider: str) -> dict[str, Section]:
    """The statements to run (the medians first: they take longest)."""
    out: dict[str, Section] = {
        f"medians:{'+'.join(dims)}": partial(_medians, provider=provider, dims=dims)
        for dims in MEDIAN_SPLIT
    }
    out["counts"] = partial(_counts, provider=provider)
    return out


def assemble(found: dict[str, Any]) -> dict[str, Any]:
    """The results of :func:`sections` as the raw path's rows (see :data:`.sql.SECTIONS`)."""
    got = found["counts"]
    counts: Counts = got["counts"]
    everyone = counts.get("cohorts", [])
    sizes: list[sql.Row] = [("*", None, i, n, got["uploads"]) for _v, _w, i, n in everyone]
    cells: list[sql.Row] = [
        ("*", None, code, i, n) for code, _w, i, n in counts.get("findings", [])
    ]
    for g in sql.GROUPS:
        sizes += [(g, v, i, n, None) for v, _w, i, n in counts.get(f"cohorts:{g}", [])]
        cells += [(g, v, code, i, n) for v, code, i, n in counts.get(f"findings:{g}", [])]
    means = got["feedback_means"]
    taken = {v: (i, n) for v, _w, i, n in counts.get("offers:taken", [])}
    return {
        "sizes_and_medians": (
            sizes,
            [row for dims in MEDIAN_SPLIT for row in found[f"medians:{'+'.join(dims)}"]],
        ),
        "finding_cells": cells,
        "weekly": (got["week_sizes"], got["week_cells"]),
        "hours": got["hours"],
        "devices": [
            (dim, v, i, n)
            for dim in ("kind", "vendor")
            for v, _w, i, n in counts.get(f"devices:{dim}", [])
        ],
        "feedback": [
            (code, i, n, means.get(str(code))) for code, _w, i, n in counts.get("feedback", [])
        ],
        "offers": [
            (v, i, n, *taken.get(v, (0, 0))) for v, _w, i, n in counts.get("offers:shown", [])
        ],
    }
