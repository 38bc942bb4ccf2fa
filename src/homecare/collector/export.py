"""The one export shape of the suppressed insights: a long table, for the
console's downloads (CSV, Parquet) and ``homecare-collector insights
--csv`` / ``--parquet`` (the same bytes as the console's), and for the analysts' own engine (DuckDB, Spark, ClickHouse,
pandas).

Long form, one row per published number (section, dimension, cohort,
metric, value, hidden), so every section of the document fits one schema
and one file; an engine pivots it. Only what
:func:`homecare.collector.queries.cohort_insights` publishes leaves: the same
k-suppressed counts, a hidden cell is an empty value (CSV) or null
(Parquet) with ``hidden`` true, and a hidden cohort (or device vendor/kind)
is left out with all its cells, so not even its name leaves (the JSON API
keeps the name with nulls, see docs/collector.md). The Parquet file carries
the document's ``k`` and filters in its key-value metadata
(``homecare.k``, ``homecare.filters``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from homecare.collector.render import terminal_safe

SCHEMA = pa.schema(
    [
        ("section", pa.string()),
        ("dimension", pa.string()),
        ("cohort", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("hidden", pa.bool_()),
    ]
)
#: the file ``insights --parquet DIR`` writes into an existing folder
FILE_NAME = "insights.parquet"


@dataclass(frozen=True)
class Row:
    section: str
    dimension: str
    cohort: str
    metric: str
    value: float | None
    hidden: bool


def _row(section: str, dim: str, cohort: str, metric: str, value: Any, hideable: bool) -> Row:
    hidden = hideable and value is None
    return Row(section, dim, cohort, metric, None if value is None else float(value), hidden)


def rows_of(doc: dict[str, Any]) -> list[Row]:
    """Every published number of an insights document, in document order."""
    out = [
        _row("overall", "", "", "installations", doc["installations"], True),
        _row("overall", "", "", "uploads", doc["uploads"], True),
    ]
    for dim, table in doc["findings_by_cohort"].items():
        for c in table["cohorts"]:
            if c["installations"] is None:
                continue  # a hidden cohort is not even named
            out.append(_row("cohort", dim, c["value"], "installations", c["installations"], True))
            out.extend(
                _row("finding", dim, c["value"], code, n, True) for code, n in c["findings"].items()
            )
        out.extend(
            _row("finding", dim, "(all)", code, n, True) for code, n in table["totals"].items()
        )
    for s in doc["speeds_vs_plan"]:
        for metric in (
            "installations",
            "median_down_mbps",
            "median_up_mbps",
            "median_down_pct_of_plan",
        ):
            # a median is hidden (None) when fewer than k homes have that metric
            out.append(_row("speed", "plan_tier", s["plan_tier"], metric, s[metric], True))
    for dim, groups in doc["speeds_by"].items():
        if dim == "plan_tier":
            continue  # already above, as speeds_vs_plan
        for g in groups:
            for metric in ("installations", "median_down_mbps", "median_down_pct_of_plan"):
                out.append(_row("speed", dim, g["value"], metric, g[metric], True))
    for dim, mix in doc["device_mix"].items():
        out.extend(
            _row("devices", dim, key, "installations", n, True)
            for key, n in mix.items()
            if n is not None
        )
    for code, fb in doc["feedback_by_finding"].items():
        out.append(_row("feedback", "finding", code, "mean_score", fb["mean_score"], False))
        out.append(_row("feedback", "finding", code, "installations", fb["installations"], True))
    for offer, o in doc["offers"].items():
        out.append(_row("offer", "offer", offer, "shown", o["shown"], True))
        out.append(_row("offer", "offer", offer, "taken", o["taken"], True))
    for w in doc["findings_by_week"]["weeks"]:
        out.append(_row("week", "week", w["week"], "installations", w["installations"], True))
        out.extend(
            _row("week", "week", w["week"], code, n, True) for code, n in w["findings"].items()
        )
    for h in doc["hour_of_day"]:
        out.append(
            _row("hour", "hour_utc", f"{h['hour']:02d}", "installations", h["installations"], True)
        )
    return out


def to_csv(rows: list[Row]) -> str:
    """The CSV of the console's download and of ``insights --csv`` (one layout):
    a hidden cell is an empty value with ``hidden`` true. Text cells lose
    control and bidi characters (they may come from a payload, and the CLI
    prints to a terminal) and cannot start a spreadsheet formula."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", "dimension", "cohort", "metric", "value", "hidden"])
    for r in rows:
        section, dimension, cohort, metric = (
            terminal_safe(text) for text in (r.section, r.dimension, r.cohort, r.metric)
        )
        hidden = str(r.hidden).lower()
        writer.writerow([section, dimension, _cell(cohort), metric, value_text(r), hidden])
    return buf.getvalue()


def value_text(row: Row) -> str:
    """A row's number as text: counts without ``.0``, a missing value empty."""
    if row.value is None:
        return ""
    return str(int(row.value)) if row.value.is_integer() else str(row.value)


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cohort name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_table(doc: dict[str, Any]) -> pa.Table:
    """The document as an Arrow table, with its k and filters as metadata."""
    meta = {
        b"homecare.k": str(doc.get("k", "")).encode(),
        b"homecare.filters": json.dumps(doc.get("filters", {}), sort_keys=True).encode(),
    }
    rows = [asdict(r) for r in rows_of(doc)]
    return pa.Table.from_pylist(rows, schema=SCHEMA.with_metadata(meta))


def to_parquet(doc: dict[str, Any]) -> bytes:
    """The Parquet file's bytes (the console's download)."""
    sink = pa.BufferOutputStream()
    pq.write_table(to_table(doc), sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def write_parquet(doc: dict[str, Any], target: Path) -> Path:
    """Write the file at *target* when it ends in ``.parquet``, else
    ``insights.parquet`` inside the folder *target* (made when missing);
    atomically: a temporary name beside it, then a rename. The file written."""
    if target.is_dir() or target.suffix != ".parquet":
        target = target / FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(to_parquet(doc))
    partial.replace(target)
    return target
