"""The console's tables as one long table, for CSV and Parquet.

Long form (section, dimension, cohort, metric, value, hidden) so every
section fits one schema and an analyst's engine (DuckDB, Spark, ClickHouse)
can pivot it. Hidden cells stay hidden: ``value`` is empty (CSV) or null
(Parquet) and ``hidden`` is true; a hidden cohort (or device vendor/kind) is
left out altogether, so not even its name leaves the collector.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]


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
            out.append(_row("speed", "plan_tier", s["plan_tier"], metric, s[metric], False))
    for dim, groups in doc["speeds_by"].items():
        if dim == "plan_tier":
            continue  # already above, as speeds_vs_plan
        for g in groups:
            for metric in ("installations", "median_down_mbps", "median_down_pct_of_plan"):
                out.append(_row("speed", dim, g["value"], metric, g[metric], False))
    for dim, mix in doc["device_mix"].items():
        out.extend(
            _row("devices", dim, key, "installations", n, True)
            for key, n in mix.items()
            if n is not None
        )
    for code, fb in doc["feedback_by_finding"].items():
        out.append(_row("feedback", "finding", code, "mean_score", fb["mean_score"], False))
        out.append(_row("feedback", "finding", code, "installations", fb["installations"], False))
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
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", "dimension", "cohort", "metric", "value", "hidden"])
    for r in rows:
        value = (
            "" if r.value is None else (str(int(r.value)) if r.value.is_integer() else str(r.value))
        )
        writer.writerow(
            [r.section, r.dimension, _cell(r.cohort), r.metric, value, str(r.hidden).lower()]
        )
    return buf.getvalue()


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cohort name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_parquet(rows: list[Row]) -> bytes:
    schema = pa.schema(
        [
            ("section", pa.string()),
            ("dimension", pa.string()),
            ("cohort", pa.string()),
            ("metric", pa.string()),
            ("value", pa.float64()),
            ("hidden", pa.bool_()),
        ]
    )
    table = pa.Table.from_pylist([r.__dict__ for r in rows], schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())
