"""Cells that two filtered documents share, suppressed once for both.

The document ``wifi_band=5GHz`` lists plan-tier cohorts; the document
``plan_tier=fiber-100`` lists Wi-Fi band cohorts: both publish the homes on
5GHz *and* fiber-100 (and each code's homes among them). Each document
suppressing that number by its own lines could hide it in one and show it in
the other, and the shown one gives the hidden one's line away. So the
cross-tab of the two dimensions (cohort sizes, and per code the findings) is
suppressed here as one table, rows one dimension's cohorts and columns the
other's, whose totals are the unfiltered document's, in one orientation
(the dimensions in name order), and both families
(:mod:`.family`) hide what it hides. Lines whose total the unfiltered
document hides, and cohorts that cannot be asked for by name (hidden, or
``unknown``), are hidden whole, the same way in both families.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from homecare.collector.queries.document import DIMENSIONS, Path, label
from homecare.collector.suppression import Suppressed, suppress_table

Pair = tuple[str, str]


def askable(parent: dict[Path, int | None], dim: str) -> list[str]:
    """The cohorts of *dim* a filter can name and the parent shows."""
    return sorted(
        p[2]
        for p, n in parent.items()
        if p[:2] == ("cohort", dim) and n is not None and p[2] != "unknown"
    )


def _values(parent: dict[Path, int | None], dim: str) -> list[str]:
    return sorted(p[2] for p in parent if p[:2] == ("cohort", dim))


def crosstab_forced(
    dim: str, found: dict[str, dict[str, Any]], parent: dict[Path, int | None], k: int
) -> dict[str, set[Path]]:
    """For each askable cohort of *dim* (rows *found* by value), the cross-tab
    cells its document must hide."""
    mine = askable(parent, dim)
    out: dict[str, set[Path]] = {v: set() for v in mine}
    rows_all = _values(parent, dim)
    for other in DIMENSIONS:
        if other == dim:
            continue
        cols_all, theirs = _values(parent, other), askable(parent, other)
        sizes: dict[Pair, tuple[int, int]] = {}
        cells: dict[str, dict[Pair, tuple[int, int]]] = defaultdict(dict)
        for v in mine:
            size_rows, _medians = found[v]["sizes_and_medians"]
            for d, w, i, n, _u in size_rows:
                if d == other:
                    sizes[(v, label(w))] = (int(i), int(n))
            for d, w, code, i, n in found[v]["finding_cells"]:
                if d == other:
                    cells[str(code)][(v, label(w))] = (int(i), int(n))
        shut_rows = set(rows_all) - set(mine)
        shut_cols = set(cols_all) - set(theirs)
        table = _suppress(dim, other, sizes, rows_all, cols_all, shut_rows, shut_cols, set(), k)
        for v, w in table.cells:
            if v in out:
                out[v].add(("cohort", other, w))
        for v in table.row_totals:  # one hidden cell, the rest empty: the cohort itself
            if v in out:
                out[v].add(("section", "cohort", other))
        codes = {p[3] for p in parent if p[0] == "finding" and p[1] == dim}
        for code in sorted(codes):
            hidden_rows = {v for v in rows_all if parent.get(("finding", dim, v, code)) is None}
            hidden_cols = {w for w in cols_all if parent.get(("finding", other, w, code)) is None}
            result = _suppress(
                dim,
                other,
                cells[code],
                rows_all,
                cols_all,
                shut_rows | hidden_rows,
                shut_cols | hidden_cols,
                table.cells,
                k,
            )
            for v, w in result.cells:
                if v in out:
                    out[v].add(("finding", other, w, code))
            for v in result.row_totals:
                if v in out:
                    out[v] |= {("total", d, code) for d in DIMENSIONS}
    return out


def _suppress(
    dim: str,
    other: str,
    counts: dict[Pair, tuple[int, int]],
    rows: list[str],
    cols: list[str],
    shut_rows: set[str],
    shut_cols: set[str],
    pinned: set[Pair],
    k: int,
) -> Suppressed:
    """:func:`suppress_table` in the dimensions' name order, the result given
    back as (value of *dim*, value of *other*), totals of *dim*'s cohorts in
    ``row_totals``: the family of *other* computes the very same table."""
    flip = other < dim

    def turn(cell: Pair) -> Pair:
        return (cell[1], cell[0]) if flip else cell

    # a line hidden whole is its cells pinned: the same in either orientation
    shut = {(v, w) for v in rows for w in cols if v in shut_rows or w in shut_cols} | pinned
    table = {turn(c): i for c, (i, _n) in counts.items()}
    support = {turn(c): min(i, n) for c, (i, n) in counts.items()}
    lines = (cols, rows) if flip else (rows, cols)
    result = suppress_table(
        table, k, lines[0], lines[1], support=support, forced_cells={turn(c) for c in shut}
    )
    if not flip:
        return result
    return Suppressed(
        cells={turn(c) for c in result.cells},
        row_totals=result.col_totals,
        col_totals=result.row_totals,
    )
