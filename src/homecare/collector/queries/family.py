"""Filtered documents that give nothing away against the documents around them.

An analyst can ask for any filter, so a filtered document is never read
alone: with ``wifi_band=5GHz`` and without it, the same count (homes in week
W, say) is published twice, and the unfiltered figure minus the 5GHz one is
the 2.4GHz homes of that week, a count below k if the 2.4GHz document hides
it. For each dimension filter ``d=v`` the document belongs to a **family**:
its *parent* (the same filters without ``d``, itself checked the same way)
and its *siblings* (``d=v'`` for every other value ``v'``). For every count
path (:data:`.document.Path`) the siblings' counts add up to the parent's;
the family is suppressed as one table, each path a line whose total is the
parent's published count:

- the document is hidden whole when the parent hides cohort ``v`` of ``d``
  (its total installations *are* that cohort), and a number it shares with
  the parent (the parent's findings cells of cohort ``v``, which are this
  document's column totals) is hidden where the parent hides it;
- cohorts of ``d`` that cannot be asked for by name (hidden in the parent,
  or ``unknown``) are one hidden entry in every line, their sum;
- a line with exactly one hidden entry and a published total gets a
  complement: the smallest visible non-zero sibling entry is hidden too
  (ties by cohort name), then the siblings are rebuilt with what is now
  hidden, until nothing changes; a line whose total the parent hides (a
  complement there) must not show all its entries, or they add up to it.
  Every sibling computes the same family, so the document ``d=v'`` hides
  the complement this one chose;
- the cross-tab cells it shares with a document filtered on another
  dimension are suppressed once for both (:mod:`.crosstab`).

Limit (docs/collector.md): with two or more dimension filters each family is
checked, but a sibling's own other families are not, and date ranges
(``since``/``until``) are not checked against each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from homecare.collector.queries import crosstab
from homecare.collector.queries.document import Forced, Path, build, counts_of
from homecare.collector.queries.filters import DIMENSION_FILTERS, Filters

#: the raw rows of one filtered document (the sections of :mod:`.sql`)
Rows = Callable[[Filters], dict[str, Any]]
#: the published document of a filter (checked against its own families)
Published = Callable[[Filters], dict[str, Any]]

#: sections where an absent entry means "below k" rather than "none"
_DROPPED_WHEN_SMALL = ("feedback", "offer")


def publish(
    filters: Filters, k: int, rows: Rows, published: Published | None = None
) -> dict[str, Any]:
    """The document of *filters* as published: its own suppression and, with
    dimension filters, its families'. *rows* reads a filter's raw rows;
    *published* (default: this function) gives a parent's document (the
    collector passes one that reads the unfiltered document from the
    roll-ups). Pure but for *rows*, so the property tests run it on rows
    computed in Python."""
    own = rows(filters)
    if not any(getattr(filters, dim) is not None for dim in DIMENSION_FILTERS):
        return build(own, k, filters.as_dict())
    parent_of = published or (lambda flt: publish(flt, k, rows))
    forced = guarded_forced(filters, k, rows, parent_of, own)
    if forced is None:  # the filter's cohort is hidden: so is everything under it
        return build(NOTHING, k, filters.as_dict())
    return build(own, k, filters.as_dict(), forced)


#: the sections' rows of a selection without a single home
NOTHING: dict[str, Any] = {
    "sizes_and_medians": ([], []),
    "finding_cells": [],
    "weekly": ([], []),
    "hours": [],
    "devices": [],
    "feedback": [],
    "offers": [],
}


def guarded_forced(
    filters: Filters, k: int, rows: Rows, published: Published, own: dict[str, Any]
) -> Forced | None:
    """What the document of *filters* (raw rows *own*) must hide beyond its
    own suppression, or None when it must be hidden whole."""
    forced: set[Path] = set()
    for dim in DIMENSION_FILTERS:
        value = getattr(filters, dim)
        if value is None:
            continue
        parent = counts_of(published(_with(filters, dim, None)))
        if parent.get(("cohort", dim, value)) is None:
            return None
        forced |= _family(filters, dim, value, k, rows, parent, own)
    return frozenset(forced)


def _with(filters: Filters, dim: str, value: str | None) -> Filters:
    """*filters* with dimension *dim* set to *value* (None: not filtered)."""
    change: dict[str, Any] = {dim: value}
    return replace(filters, **change)


def _shared(parent: dict[Path, int | None], dim: str, value: str) -> set[Path]:
    """Numbers the document ``dim=value`` shares with its parent, hidden
    there: the parent's cells of cohort *value* are this document's totals."""
    out: set[Path] = set()
    for path, n in parent.items():
        if n is None and path[:3] == ("finding", dim, value):
            code = path[3]
            out.add(path)
            out |= {("total", d, code) for d in DIMENSION_FILTERS}
    return out


def _family(
    filters: Filters,
    dim: str,
    value: str,
    k: int,
    rows: Rows,
    parent: dict[Path, int | None],
    own: dict[str, Any],
) -> set[Path]:
    cohorts = {p[2] for p in parent if p[:2] == ("cohort", dim)}
    askable = crosstab.askable(parent, dim)
    # the cohorts that cannot be asked for: their sum is one hidden entry of
    # every line (two or more of them: a sum of cells, never one cell)
    unaskable = len(cohorts) - len(askable)
    found = {v: own if v == value else rows(_with(filters, dim, v)) for v in askable}
    shared = crosstab.crosstab_forced(dim, found, parent, k)
    forced = {v: _shared(parent, dim, v) | shared[v] for v in askable}
    while True:
        docs = {v: build(found[v], k, {}, frozenset(forced[v])) for v in askable}
        counts = {v: counts_of(doc) for v, doc in docs.items()}
        trends = {v: set(doc["findings_by_week"]["codes"]) for v, doc in docs.items()}
        changed = False
        paths = set(parent).union(*(c.keys() for c in counts.values()))
        for path in sorted(paths):
            if path == ("installations",) or path[:2] == ("cohort", dim):
                continue  # the parent's own cohort line, suppressed there
            if path not in parent:
                continue  # the parent does not list it: no total to add up to
            entries = {v: _entry(counts[v], trends[v], forced[v], path) for v in askable}
            hidden = sum(1 for n in entries.values() if n is None) + min(unaskable, 2)
            # a shown total minus the others gives one hidden entry away; a
            # hidden total (a complement, or hidden for a difference) is the
            # sum of its entries when they all show
            if hidden != (0 if parent[path] is None else 1):
                continue
            visible = [(n, v) for v, n in entries.items() if n]
            if not visible:
                continue  # the entries are 0 but one: that one is the whole total
            _n, chosen = min(visible)
            forced[chosen].add(path)
            changed = True
        for section in _unprotected(docs):
            for v in askable:
                if section not in forced[v]:
                    forced[v].add(section)
                    changed = True
        if not changed:
            return forced[value]


def _unprotected(docs: dict[str, dict[str, Any]]) -> set[Path]:
    """Lists that add up to a sibling's installations with exactly one entry
    hidden: its installations minus the others give it away, and no other
    entry can be hidden (they are all empty). Left out whole, in every
    sibling, so not even which weeks or hours a sibling has shows."""
    out: set[Path] = set()
    for doc in docs.values():
        weeks = [w["installations"] for w in doc["findings_by_week"]["weeks"]]
        hours = [h["installations"] for h in doc["hour_of_day"]]
        for section, line in ((("section", "weeks"), weeks), (("section", "hours"), hours)):
            if doc["installations"] is not None and line.count(None) == 1:
                out.add(section)
    return out


def _entry(
    counts: dict[Path, int | None], trend: set[str], forced: set[Path], path: Path
) -> int | None:
    """A sibling's count at *path*; absent is 0 (no such week, code, device),
    except where the document leaves small entries out (feedback, offers),
    for a week's cell of a code outside this sibling's trend codes, and in a
    list left out whole."""
    if path in counts:
        return counts[path]
    left_out: dict[Path, str] = {("section", "weeks"): "week", ("section", "hours"): "hour"}
    if any(p[0] == "section" and left_out.get(p) == path[0] for p in forced):
        return None
    if path[0] in ("cohort", "finding") and ("section", "cohort", path[1]) in forced:
        return None
    if path[0] in _DROPPED_WHEN_SMALL:
        return None
    if path[0] == "week" and len(path) == 3 and path[2] not in trend:
        return None
    return 0
