"""An attacker's view of published insights documents, for the property tests.

:func:`recoverable` writes down every linear relation the documents state
(a dimension's cohorts add up to the installations, a column of findings to
its total, a code's total is one number in every table, the weeks and the
hours add up to the installations, feedback and offers to their parts, the
siblings ``d=v`` of a filter to the unfiltered document, a filtered
document's installations and totals to the unfiltered cohort and its cells,
and two documents filtered on different dimensions to their shared cells),
treats every hidden count as an unknown and solves: an unknown is recovered
when the relations fix it to one value (its unit vector lies in the row
space of the system, found by exact Gaussian elimination over fractions).
Rows for a synthetic population are computed here in Python, in the shapes
the SQL sections return (:data:`homecare.collector.queries.sql.SECTIONS`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from homecare.collector.queries.document import DIMENSIONS, Path, build, counts_of
from homecare.collector.queries.filters import DIMENSION_FILTERS, Filters

Var = tuple[str, Path]
#: sections that list every entry they have (cohorts, codes, weeks, hours,
#: devices); feedback and offers leave small entries out
_LISTED = ("cohort", "finding", "total", "hour", "device")


@dataclass(frozen=True)
class Home:
    wifi_band: str
    plan_tier: str
    codes: frozenset[str]
    tv: bool
    week: str
    hour: int
    feedback: int | None
    offer_shown: bool
    offer_taken: bool

    def value(self, dim: str) -> str:
        return {"wifi_band": self.wifi_band, "plan_tier": self.plan_tier}.get(dim, dim[:1])


def rows_for(homes: list[Home], flt: Filters) -> dict[str, Any]:
    """The sections' rows of the homes matching *flt* (one network each)."""
    chosen = [
        h for h in homes if all(getattr(flt, d) in (None, h.value(d)) for d in DIMENSION_FILTERS)
    ]

    def count(pred: Any) -> int:
        return sum(1 for h in chosen if pred(h))

    def grouped(key: Any) -> dict[Any, int]:
        out: dict[Any, int] = defaultdict(int)
        for h in chosen:
            for k in key(h):
                out[k] += 1
        return out

    n = len(chosen)
    sizes: list[Any] = [("*", None, n, n, n)] if n else [("*", None, 0, 0, None)]
    cells: list[Any] = [("*", None, c, i, i) for c, i in grouped(lambda h: h.codes).items()]
    for dim in DIMENSIONS:
        sizes += [(dim, v, i, i, i) for v, i in grouped(lambda h, dim=dim: [h.value(dim)]).items()]
        by = grouped(lambda h, dim=dim: [(h.value(dim), c) for c in h.codes])
        cells += [(dim, v, c, i, i) for (v, c), i in by.items()]
    fb = defaultdict(list)
    for h in chosen:
        for c in h.codes:
            if h.feedback is not None:
                fb[c].append(h.feedback)
    shown, taken = count(lambda h: h.offer_shown), count(lambda h: h.offer_taken)
    devices = [("kind", "phone", n, n), ("vendor", "Apple", n, n)] if n else []
    tv = count(lambda h: h.tv)
    return {
        "sizes_and_medians": (sizes, []),
        "finding_cells": cells,
        "weekly": (
            [(w, i, i) for w, i in grouped(lambda h: [h.week]).items()],
            [
                (w, c, i, i)
                for (w, c), i in grouped(lambda h: [(h.week, c) for c in h.codes]).items()
            ],
        ),
        "hours": [(hr, i, i) for hr, i in grouped(lambda h: [h.hour]).items()],
        "devices": devices + ([("kind", "tv", tv, tv)] if tv else []),
        "feedback": [(c, len(s), len(s), sum(s) / len(s)) for c, s in fb.items()],
        "offers": [("o", shown, shown, taken, taken)] if shown else [],
    }


class Attacker:
    """The relations of a set of documents, and what they give away."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.truth: dict[Var, int] = {}
        self.published: dict[str, dict[Path, int | None]] = {}
        self.true_counts: dict[str, dict[Path, int]] = {}
        self.equations: list[dict[Var, int]] = []
        self.hidden: set[str] = set()
        self.inside: list[tuple[str, dict[str, Any]]] = []

    def add(self, name: str, doc: dict[str, Any], rows: dict[str, Any]) -> None:
        true = build(rows, 0, {})
        if doc["installations"] is None:
            self.hidden.add(name)  # nothing listed: an absent entry says nothing
        self.published[name] = counts_of(doc)
        self.true_counts[name] = {p: n for p, n in counts_of(true).items() if n is not None}
        self.inside.append((name, true))

    def term(self, name: str, path: Path) -> Var | None:
        """The unknown at *path* of document *name*, or None when it is known."""
        published = self.published[name]
        if published.get(path) is not None:
            return None
        if path not in published and name not in self.hidden and path[0] in _LISTED:
            return None  # a listed section without this entry: none, and the reader knows it
        truth = self.true_counts[name].get(path, 0)
        self.truth[(name, path)] = truth
        return (name, path)

    def relate(self, plus: Iterable[tuple[str, Path]], minus: Iterable[tuple[str, Path]]) -> None:
        eq: dict[Var, int] = defaultdict(int)
        for sign, terms in ((1, plus), (-1, minus)):
            for name, path in terms:
                var = self.term(name, path)
                if var is not None:
                    eq[var] += sign
        eq = {v: c for v, c in eq.items() if c}
        if eq:
            self.equations.append(eq)

    def derived(self, name: str, label: str, truth: int) -> tuple[str, Path]:
        """A count no document publishes but a difference gives (homes without feedback)."""
        path = ("derived", label)
        self.published[name].setdefault(path, None)
        self.true_counts[name][path] = truth
        return (name, path)

    def _inside(self, name: str, true: dict[str, Any], universe: set[Path]) -> None:
        """The relations inside one document. Of a hidden document the reader
        does not know which entries are empty: its sums run over every path
        any document has."""
        truth = self.true_counts[name]
        shown = self.published[name]
        t: Any = universe if name in self.hidden else truth

        def known(kind: Path) -> Any:
            """The paths of a list: the document's own, unless it left the
            list out (then the reader does not know which entries exist)."""
            listed = any(p[: len(kind)] == kind for p in shown)
            return set(t) | set(shown) if listed else universe

        everyone = [(name, ("installations",))]
        for dim in DIMENSIONS:
            among = known(("cohort", dim))
            self.relate(everyone, [(name, p) for p in among if p[:2] == ("cohort", dim)])
            for p in [p for p in t if p[:2] == ("total", dim)]:
                code = p[2]
                cells = [q for q in among if q[:2] == ("finding", dim) and q[3] == code]
                self.relate([(name, p)], [(name, q) for q in cells])
                self.relate([(name, p)], [(name, ("total", DIMENSIONS[0], code))])
        weeks_known = known(("week",))
        self.relate(everyone, [(name, p) for p in weeks_known if p[0] == "week" and len(p) == 2])
        self.relate(everyone, [(name, p) for p in known(("hour",)) if p[0] == "hour"])
        for code in true["findings_by_week"]["codes"]:
            weeks = [
                (name, p) for p in weeks_known if p[0] == "week" and len(p) == 3 and p[2] == code
            ]
            self.relate([(name, ("total", DIMENSIONS[0], code))], weeks)
        for p in [p for p in t if p[0] == "feedback"]:
            total = ("total", DIMENSIONS[0], p[1])
            silent = self.derived(
                name, f"no feedback {p[1]}", truth.get(total, 0) - truth.get(p, 0)
            )
            self.relate([(name, total)], [(name, p), silent])
        for p in [p for p in t if p[:1] == ("offer",) and p[2] == "shown"]:
            taken = (p[0], p[1], "taken")
            left = self.derived(name, f"not taken {p[1]}", truth.get(p, 0) - truth.get(taken, 0))
            self.relate([(name, p)], [(name, taken), left])

    def family(self, parent: str, dim: str, children: dict[str, str]) -> None:
        """*children*: cohort value of *dim* -> document name."""
        for path in self.true_counts[parent]:
            if path[0] == "derived" or (path[0] == "week" and len(path) == 3):
                continue  # a child's trend codes are its own: not every child publishes them
            self.relate([(parent, path)], [(c, path) for c in children.values()])
        for value, child in children.items():
            self.relate([(child, ("installations",))], [(parent, ("cohort", dim, value))])
            for p in [p for p in self.true_counts[parent] if p[:3] == ("finding", dim, value)]:
                for d in DIMENSIONS:
                    self.relate([(child, ("total", d, p[3]))], [(parent, p)])

    def crossed(self, a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
        """Documents *a* = (name, dim, value) and *b* share the cross-tab cells."""
        (na, da, va), (nb, db, vb) = a, b
        self.relate([(na, ("cohort", db, vb))], [(nb, ("cohort", da, va))])
        codes = {p[3] for p in self.true_counts[na] if p[0] == "finding"}
        codes |= {p[3] for p in self.true_counts[nb] if p[0] == "finding"}
        for code in codes:
            self.relate([(na, ("finding", db, vb, code))], [(nb, ("finding", da, va, code))])

    def recovered_below_k(self) -> list[tuple[Var, int]]:
        """Hidden counts in 1..k-1 that the relations fix to one value."""
        universe = set().union(*(set(t) for t in self.true_counts.values()))
        for name, true in self.inside:
            self._inside(name, true, universe)
        self.inside = []
        fixed = _determined(self.equations)
        return sorted(
            (var, self.truth[var]) for var in fixed if 0 < self.truth.get(var, 0) < self.k
        )


def _determined(equations: list[dict[Var, int]]) -> set[Var]:
    """The unknowns whose unit vector lies in the span of *equations*
    (reduced row echelon form: exactly the rows with one entry)."""
    pivots: dict[Var, dict[Var, Fraction]] = {}
    for eq in equations:
        row = {v: Fraction(c) for v, c in eq.items()}
        for p in [p for p in pivots if p in row]:
            factor = row[p]
            for v, c in pivots[p].items():
                row[v] = row.get(v, Fraction(0)) - factor * c
            row = {v: c for v, c in row.items() if c}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {v: c / scale for v, c in row.items()}
        for other in pivots.values():
            if pivot in other:
                factor = other[pivot]
                for v, c in row.items():
                    other[v] = other.get(v, Fraction(0)) - factor * c
                for v in [v for v, c in other.items() if not c]:
                    del other[v]
        pivots[pivot] = row
    return {p for p, row in pivots.items() if len(row) == 1}
