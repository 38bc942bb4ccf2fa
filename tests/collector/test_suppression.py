"""Small-cell suppression depends on the counts only: the roll-up and raw
paths of the insights document return the same counts in different row
orders (and PostgreSQL's order of an unordered result is not fixed), so a
complement chosen among equal cells by arrival order made the two documents
differ now and then (test_rollups' batch refresh test, under load)."""

from __future__ import annotations

from itertools import permutations

from homecare.collector.suppression import Suppressed, suppress_counts, suppress_table

#: (a, x) is below k; its column and its row each offer two equal complements
COUNTS = {
    ("a", "x"): 2,
    ("b", "x"): 7,
    ("c", "x"): 7,
    ("a", "y"): 9,
    ("b", "y"): 9,
    ("c", "y"): 9,
    ("a", "z"): 9,
    ("b", "z"): 12,
    ("c", "z"): 12,
}


def test_equal_complements_are_chosen_whatever_order_the_rows_came_in() -> None:
    results: list[Suppressed] = []
    for rows in permutations("abc"):
        for cols in permutations("xyz"):
            reordered = {
                cell: COUNTS[cell] for cell in sorted(COUNTS, key=lambda c: rows.index(c[0]))
            }
            results.append(suppress_table(reordered, 5, rows, cols))
    first = results[0]
    assert ("a", "x") in first.cells and len(first.cells) > 1
    assert all(r == first for r in results)


def test_a_tie_between_complements_goes_to_the_first_cell_by_name() -> None:
    hidden = suppress_table(COUNTS, 5, "cba", "zyx").cells
    assert ("b", "x") in hidden and ("c", "x") not in hidden


def test_one_dimension_does_not_depend_on_the_order_either() -> None:
    sizes = {"wired": 3, "wifi": 8, "other": 8, "mesh": 20}
    seen = {frozenset(suppress_counts(dict(order), 5)) for order in permutations(sizes.items())}
    assert len(seen) == 1 and {"wired"} < next(iter(seen))
