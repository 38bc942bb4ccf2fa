"""Small-cell suppression so no cohort smaller than k installations shows.

Primary suppression hides every count in 1..k-1. Complementary suppression
then makes sure no hidden cell can be recovered by subtraction: whenever a
row or column of a table (which has a published total) holds exactly one
hidden cell, the next smallest visible non-zero cell of that line is hidden
too; if there is none, the line's total is hidden instead. Repeated until
nothing changes, because hiding a complement can leave another line with a
single hidden cell. Lines are visited in sorted order and equal complements
are chosen by their names, so the result depends on the counts only, not on
the order the rows arrived in.

*support* (optional) is what primary suppression tests instead of the count:
the collector passes ``min(installations, distinct sender networks)`` so a
cell padded with invented installations from one network stays hidden (the
sybil defence, docs/collector.md); complements are still chosen by count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Cell = tuple[str, str]


@dataclass
class Suppressed:
    cells: set[Cell] = field(default_factory=set)
    row_totals: set[str] = field(default_factory=set)
    col_totals: set[str] = field(default_factory=set)


def suppress_table(
    counts: dict[Cell, int],
    k: int,
    rows: Iterable[str],
    cols: Iterable[str],
    forced_rows: Iterable[str] = (),
    support: dict[Cell, int] | None = None,
    forced_cells: Iterable[Cell] = (),
) -> Suppressed:
    """Which cells (and totals) of a rows × cols table must be hidden.

    *forced_rows* are rows hidden as a whole (their cohort is below k);
    *forced_cells* single cells hidden for a reason outside this table (the
    same number is hidden in another document, see
    :mod:`homecare.collector.queries.family`).
    """
    # sorted, and ties broken by the cell itself: the hidden cells are a
    # function of the counts only, never of the order the database returned
    # the rows in (the roll-up and raw paths return them in different orders)
    rows, cols = sorted(set(rows)), sorted(set(cols))
    out = Suppressed()
    forced = set(forced_rows)
    pinned = set(forced_cells)
    for r in rows:
        for c in cols:
            n = counts.get((r, c), 0)
            backing = n if support is None else min(n, support.get((r, c), 0))
            if r in forced or (r, c) in pinned or (n > 0 and backing < k):
                out.cells.add((r, c))
    lines: list[tuple[str, str, list[Cell]]] = [
        ("row", r, [(r, c) for c in cols]) for r in rows
    ] + [("col", c, [(r, c) for r in rows]) for c in cols]
    changed = True
    while changed:
        changed = False
        for kind, key, cells in lines:
            hidden = [cell for cell in cells if cell in out.cells]
            if len(hidden) != 1:
                continue
            candidates = [
                cell for cell in cells if cell not in out.cells and counts.get(cell, 0) > 0
            ]
            if candidates:
                out.cells.add(min(candidates, key=lambda cell: (counts.get(cell, 0), cell)))
                changed = True
            elif kind == "row" and key not in out.row_totals:
                out.row_totals.add(key)
            elif kind == "col" and key not in out.col_totals:
                out.col_totals.add(key)
    return out


def suppress_counts(
    counts: dict[str, int],
    k: int,
    support: dict[str, int] | None = None,
    forced: Iterable[str] = (),
) -> set[str]:
    """The one-dimensional case: categories whose counts add up to a shown
    total; *forced* categories are hidden whatever their count."""
    table = {(key, "n"): n for key, n in counts.items()}
    backing = None if support is None else {(key, "n"): n for key, n in support.items()}
    pinned = [(key, "n") for key in forced if key in counts]
    hidden = suppress_table(table, k, list(counts), ["n"], support=backing, forced_cells=pinned)
    return {cell[0] for cell in hidden.cells}
