"""One insights document from the sections' rows, k-suppressed.

:func:`build` turns the rows of either path (raw tables, :mod:`.sql`; roll-ups,
:mod:`.rolled`) into the document; every count of it has a :data:`Path` (see
:func:`counts_of`), and *forced* paths are hidden whatever their count: the
cross-document rules of :mod:`.family` use that to hide, in a filtered
document, a number that would give a hidden one away by subtraction from
another document. Inside one document the rules are:

- a count is shown only when it holds at least k installations and k sender
  networks (the sybil defence), then complementary suppression
  (:mod:`homecare.collector.suppression`) along every line with a published
  total;
- a median only when at least k installations and k networks have a value of
  that metric (a cohort of 50 homes of which 2 ran a speed test has a
  median of 2 homes);
- a code's column total of ``findings_by_cohort`` is the same number in every
  dimension's table, so it is hidden in all of them when one hides it;
- a count beside a larger published count of the same homes (feedback
  installations beside the code's total, offers taken beside shown) is
  hidden when the difference is below k: the difference is itself a count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from homecare.collector.queries import sql
from homecare.collector.suppression import suppress_counts, suppress_table

UNKNOWN = "unknown"
#: the dimensions of ``findings_by_cohort`` and ``speeds_by``
DIMENSIONS = ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band")
TREND_CODES = 5
MEDIANS = (("d", "median_down_mbps"), ("up", "median_up_mbps"), ("pct", "median_down_pct_of_plan"))

#: where a count sits in the document: ("installations",), ("uploads",),
#: ("cohort", dim, value), ("finding", dim, value, code), ("total", dim, code),
#: ("week", week), ("week", week, code), ("hour", hour), ("device", kind|vendor,
#: value), ("feedback", code), ("offer", offer, "shown"|"taken"); forced only:
#: ("section", "weeks"|"hours") and ("section", "cohort", dim) leave a whole
#: list out (a line that cannot be protected, not even which entries exist)
Path = tuple[str, ...]
Forced = frozenset[Path]


def label(value: Any) -> str:
    return UNKNOWN if value is None else str(value)


def _round(value: Any, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


def _small_difference(bigger: int, smaller: int, k: int) -> bool:
    return 0 < bigger - smaller < k


def build(
    found: dict[str, Any], k: int, filters: dict[str, str], forced: Forced = frozenset()
) -> dict[str, Any]:
    """The document of the sections' rows *found* (keys of :data:`.sql.SECTIONS`)."""
    sizes, medians = found["sizes_and_medians"]
    overall = next((r for r in sizes if r[0] == "*"), ("*", None, 0, 0, 0))
    everyone_ok = min(int(overall[2]), int(overall[3])) >= k
    by_dim: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for dim, value, i, n, _u in sizes:
        if dim != "*":
            by_dim[dim][label(value)] = (int(i), int(n))
    for path in forced:
        if path[0] == "cohort" and len(path) == 3:
            # listed, hidden, even without a home here: an absent cohort is a
            # published 0, and the suppression counted this one as hidden
            by_dim[path[1]].setdefault(path[2], (0, 0))
    cohorts = {dim: _cohort_sizes(by_dim.get(dim, {}), k, forced, dim) for dim in DIMENSIONS}
    findings, raw_totals = _findings_by_cohort(by_dim, cohorts, found["finding_cells"], k, forced)
    speeds = _speeds(by_dim, cohorts, medians, k)
    week_sizes, week_cells = found["weekly"]
    for dim in DIMENSIONS:
        if ("section", "cohort", dim) in forced:  # see :mod:`.family`
            findings[dim]["cohorts"], speeds[dim] = [], []
    weekly = _weekly(week_sizes, week_cells, k, forced)
    if ("section", "weeks") in forced:
        weekly = {"codes": [], "weeks": []}
    hours = [] if ("section", "hours") in forced else _hours(found["hours"], k, forced)
    return {
        "k": k,
        "filters": filters,
        "installations": int(overall[2])
        if everyone_ok and ("installations",) not in forced
        else None,
        "uploads": int(overall[4] or 0) if everyone_ok and ("uploads",) not in forced else None,
        "findings_by_cohort": findings,
        "speeds_vs_plan": speeds.get("plan_tier", []),
        "speeds_by": speeds,
        "findings_by_week": weekly,
        "hour_of_day": hours,
        "device_mix": _devices(found["devices"], k, forced),
        "feedback_by_finding": _feedback(found["feedback"], raw_totals, k, forced),
        "offers": _offers(found["offers"], k, forced),
    }


def _cohort_sizes(
    members: dict[str, tuple[int, int]], k: int, forced: Forced, dim: str
) -> set[str]:
    """The hidden cohorts of one dimension (one line: they add up to the total)."""
    sizes = {v: i for v, (i, _n) in members.items()}
    pinned = [v for v in sizes if ("cohort", dim, v) in forced]
    return suppress_counts(sizes, k, {v: min(i, n) for v, (i, n) in members.items()}, pinned)


def _findings_by_cohort(
    by_dim: dict[str, dict[str, tuple[int, int]]],
    hidden_cohorts: dict[str, set[str]],
    cells: list[sql.Row],
    k: int,
    forced: Forced,
) -> tuple[dict[str, Any], dict[str, int]]:
    """The tables, and each code's total of installations (for :func:`_feedback`)."""
    totals: dict[str, tuple[int, int]] = {}
    per_dim: dict[str, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    for dim, value, code, i, n in cells:
        if dim == "*":
            totals[str(code)] = (int(i), int(n))
        else:
            per_dim[dim][(label(value), str(code))] = (int(i), int(n))
    codes = sorted(totals)
    hidden_totals = {code for code in codes if min(totals[code]) < k}
    hidden_totals |= {c for c in codes for d in DIMENSIONS if ("total", d, c) in forced}
    pinned: set[tuple[str, str, str]] = {
        (p[1], p[2], p[3]) for p in forced if p[0] == "finding" and len(p) == 4
    }
    tables: dict[str, tuple[dict[str, int], dict[tuple[str, str], int], set[tuple[str, str]]]]
    while True:
        tables = {}
        for dim in DIMENSIONS:
            sizes = {v: i for v, (i, _n) in by_dim.get(dim, {}).items()}
            counts = {cell: i for cell, (i, _n) in per_dim[dim].items()}
            support = {cell: min(i, n) for cell, (i, n) in per_dim[dim].items()}
            mine = [(v, c) for d, v, c in pinned if d == dim]
            hidden = suppress_table(
                counts, k, list(sizes), codes, hidden_cohorts[dim], support, forced_cells=mine
            )
            tables[dim] = (sizes, counts, hidden.cells)
            hidden_totals |= hidden.col_totals
        # a hidden total whose cells all show is their sum: hide its smallest cell
        more = {
            (dim, *cell)
            for dim, (_sizes, counts, hidden_cells) in tables.items()
            for code in hidden_totals
            if (cell := _smallest_unhidden(counts, hidden_cells, code)) is not None
        }
        if not more - pinned:
            break
        pinned |= more
    out = {}
    for dim, (sizes, counts, hidden_cells) in tables.items():
        cohorts = []
        for value in sorted(sizes, key=lambda v: (-sizes[v], v)):
            findings = {
                code: None if (value, code) in hidden_cells else counts.get((value, code), 0)
                for code in codes
            }
            shown = sorted(
                ((c, m) for c, m in findings.items() if m), key=lambda t: (-(t[1] or 0), t[0])
            )
            cohorts.append(
                {
                    "value": value,
                    "installations": None if value in hidden_cohorts[dim] else sizes[value],
                    "findings": findings,
                    "top_findings": [c for c, _ in shown[:5]],
                }
            )
        out[dim] = {
            "cohorts": cohorts,
            # one number in every dimension's table: hidden in all when one hides it
            "totals": {code: None if code in hidden_totals else totals[code][0] for code in codes},
        }
    return out, {code: i for code, (i, _n) in totals.items() if code not in hidden_totals}


def _smallest_unhidden(
    counts: dict[tuple[str, str], int], hidden: set[tuple[str, str]], code: str
) -> tuple[str, str] | None:
    """The smallest non-zero cell of *code*'s column when none of it is hidden."""
    column = [(n, cell) for cell, n in counts.items() if cell[1] == code and n > 0]
    if not column or any(cell in hidden for _n, cell in column):
        return None
    return min(column)[1]


def _speeds(
    by_dim: dict[str, dict[str, tuple[int, int]]],
    hidden_cohorts: dict[str, set[str]],
    medians: list[sql.Row],
    k: int,
) -> dict[str, list[dict[str, Any]]]:
    """A cohort's row when its download median stands on k homes and k
    networks; each median only when its own metric does (up and % of plan
    can stand on fewer homes than the download). The installations are
    hidden where the cohort table hides them, or the overall total minus the
    shown cohorts would give a cohort below k away."""
    found: dict[tuple[str, str], dict[str, float | None]] = defaultdict(dict)
    for dim, value, metric, median, i, n in medians:
        backed = median is not None and min(int(i), int(n)) >= k
        found[(dim, label(value))][metric] = median if backed else None
    out: dict[str, list[dict[str, Any]]] = {}
    for dim in DIMENSIONS:
        key = "plan_tier" if dim == "plan_tier" else "value"
        rows = []
        for value, (i, n) in sorted(by_dim.get(dim, {}).items()):
            m = found.get((dim, value), {})
            if min(i, n) < k or m.get("d") is None:
                continue
            row: dict[str, Any] = {
                key: value,
                "installations": None if value in hidden_cohorts[dim] else i,
            }
            row.update({name: _round(m.get(metric)) for metric, name in MEDIANS})
            rows.append(row)
        out[dim] = rows
    return out


def _weekly(sizes: list[sql.Row], cells: list[sql.Row], k: int, forced: Forced) -> dict[str, Any]:
    week_size = {str(w): int(i) for w, i, _n in sizes}
    week_support = {str(w): min(int(i), int(n)) for w, i, n in sizes}
    counts = {(str(w), str(c)): int(i) for w, c, i, _n in cells}
    support = {(str(w), str(c)): min(int(i), int(n)) for w, c, i, n in cells}
    overall: dict[str, int] = defaultdict(int)
    for (_w, code), n in support.items():
        overall[code] += n
    top = sorted(overall, key=lambda c: (-overall[c], c))[:TREND_CODES]
    pinned_weeks = [w for w in week_size if ("week", w) in forced]
    hidden_weeks = suppress_counts(week_size, k, week_support, pinned_weeks)
    pinned = [(w, c) for w in week_size for c in top if ("week", w, c) in forced]
    hidden = suppress_table(
        counts, k, sorted(week_size), top, hidden_weeks, support, forced_cells=pinned
    )
    return {
        "codes": top,
        "weeks": [
            {
                "week": week,
                "installations": None if week in hidden_weeks else week_size[week],
                "findings": {
                    c: None if (week, c) in hidden.cells else counts.get((week, c), 0) for c in top
                },
            }
            for week in sorted(week_size)
        ],
    }


def _hours(rows: list[sql.Row], k: int, forced: Forced) -> list[dict[str, Any]]:
    sizes = {str(h): int(i) for h, i, _n in rows}
    support = {str(h): min(int(i), int(n)) for h, i, n in rows}
    hidden = suppress_counts(sizes, k, support, [h for h in sizes if ("hour", h) in forced])
    return [
        {"hour": int(h), "installations": None if h in hidden else sizes[h]}
        for h in sorted(sizes, key=int)
    ]


def _devices(rows: list[sql.Row], k: int, forced: Forced) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for kind, name in (("kind", "by_kind"), ("vendor", "by_vendor")):
        sizes = {label(v): int(i) for d, v, i, _n in rows if d == kind}
        support = {label(v): min(int(i), int(n)) for d, v, i, n in rows if d == kind}
        pinned = [v for v in sizes if ("device", kind, v) in forced]
        hidden = suppress_counts(sizes, k, support, pinned)
        out[name] = {v: None if v in hidden else n for v, n in sorted(sizes.items())}
    return out


def _feedback(
    rows: list[sql.Row], shown_totals: dict[str, int], k: int, forced: Forced
) -> dict[str, Any]:
    """Mean scores of codes with feedback from k homes. The installations
    that gave feedback are a subset of the code's published total: the
    total minus them is the homes that gave none, a count, so hidden when
    that is below k."""
    out: dict[str, Any] = {}
    for code, i, n, mean in sorted(rows, key=lambda r: str(r[0])):
        if min(int(i), int(n)) < k:
            continue
        total = shown_totals.get(str(code))
        small = total is not None and _small_difference(total, int(i), k)
        hide = small or ("feedback", str(code)) in forced
        out[str(code)] = {"installations": None if hide else int(i), "mean_score": _round(mean, 2)}
    return out


def _offers(rows: list[sql.Row], k: int, forced: Forced) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for offer, si, sn, ti, tn in sorted(rows, key=lambda r: str(r[0])):
        if min(int(si), int(sn)) < k or ("offer", str(offer), "shown") in forced:
            continue
        # "taken" and "not taken" add up to "shown": hide both halves if either is small
        small = (int(ti) > 0 and min(int(ti), int(tn)) < k) or _small_difference(
            int(si), int(ti), k
        )
        hide = small or ("offer", str(offer), "taken") in forced
        out[str(offer)] = {"shown": int(si), "taken": None if hide else int(ti)}
    return out


def counts_of(doc: dict[str, Any]) -> dict[Path, int | None]:
    """Every count the document publishes, by :data:`Path` (None: hidden).
    Medians and mean scores are left out: they are no counts."""
    out: dict[Path, int | None] = {
        ("installations",): doc["installations"],
        ("uploads",): doc["uploads"],
    }
    for dim, table in doc["findings_by_cohort"].items():
        for c in table["cohorts"]:
            out[("cohort", dim, c["value"])] = c["installations"]
            for code, n in c["findings"].items():
                out[("finding", dim, c["value"], code)] = n
        for code, n in table["totals"].items():
            out[("total", dim, code)] = n
    for w in doc["findings_by_week"]["weeks"]:
        out[("week", w["week"])] = w["installations"]
        for code, n in w["findings"].items():
            out[("week", w["week"], code)] = n
    for h in doc["hour_of_day"]:
        out[("hour", str(h["hour"]))] = h["installations"]
    for kind, name in (("kind", "by_kind"), ("vendor", "by_vendor")):
        for value, n in doc["device_mix"][name].items():
            out[("device", kind, value)] = n
    for code, fb in doc["feedback_by_finding"].items():
        out[("feedback", code)] = fb["installations"]
    for offer, o in doc["offers"].items():
        out[("offer", offer, "shown")] = o["shown"]
        out[("offer", offer, "taken")] = o["taken"]
    return out
