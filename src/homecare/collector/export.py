"""Parquet export of the suppressed insights tables, for the analysts' own
engine (DuckDB, Spark, ClickHouse, pandas).

Only what :func:`homecare.collector.queries.cohort_insights` publishes
leaves: the same k-suppressed counts, a hidden cell is a null, and a hidden
cohort is left out with all its cells, so not even its name leaves (the
console's export, :mod:`homecare.collector.web.export`, does the same; the
JSON API keeps the name with nulls, see docs/collector.md). One file per
table, typed columns, written atomically (temporary name, then rename):

- ``cohorts.parquet``: dimension, value, installations
- ``findings.parquet``: dimension, value, code, installations (value
  ``(all)`` holds the column totals)
- ``speeds.parquet``: dimension, value, installations, median_down_mbps,
  median_up_mbps, median_down_pct_of_plan
- ``weekly.parquet``: week, code, installations
- ``hours.parquet``: hour, installations
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

TEXT, COUNT, NUMBER = pa.string(), pa.int64(), pa.float64()

SCHEMAS = {
    "cohorts": pa.schema([("dimension", TEXT), ("value", TEXT), ("installations", COUNT)]),
    "findings": pa.schema(
        [("dimension", TEXT), ("value", TEXT), ("code", TEXT), ("installations", COUNT)]
    ),
    "speeds": pa.schema(
        [
            ("dimension", TEXT),
            ("value", TEXT),
            ("installations", COUNT),
            ("median_down_mbps", NUMBER),
            ("median_up_mbps", NUMBER),
            ("median_down_pct_of_plan", NUMBER),
        ]
    ),
    "weekly": pa.schema([("week", TEXT), ("code", TEXT), ("installations", COUNT)]),
    "hours": pa.schema([("hour", COUNT), ("installations", COUNT)]),
}


def tables(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The document's rows per table (the same rows a CSV export would hold)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    for dim, table in doc["findings_by_cohort"].items():
        for cohort in table["cohorts"]:
            if cohort["installations"] is None:
                continue  # a hidden cohort is not even named
            out["cohorts"].append(
                {
                    "dimension": dim,
                    "value": cohort["value"],
                    "installations": cohort["installations"],
                }
            )
            for code, n in cohort["findings"].items():
                out["findings"].append(
                    {"dimension": dim, "value": cohort["value"], "code": code, "installations": n}
                )
        for code, n in table["totals"].items():
            out["findings"].append(
                {"dimension": dim, "value": "(all)", "code": code, "installations": n}
            )
    for dim, rows in doc["speeds_by"].items():
        for row in rows:
            value = row.get("value", row.get("plan_tier"))
            out["speeds"].append(
                {
                    "dimension": dim,
                    **{k: v for k, v in row.items() if k not in ("value", "plan_tier")},
                    "value": value,
                }
            )
    for week in doc["findings_by_week"]["weeks"]:
        for code, n in week["findings"].items():
            out["weekly"].append({"week": week["week"], "code": code, "installations": n})
    out["hours"] = [dict(h) for h in doc["hour_of_day"]]
    return out


def export_parquet(doc: dict[str, Any], folder: Path) -> list[Path]:
    """Write every table of *doc* into *folder*; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables(doc).items():
        table = pa.Table.from_pylist(rows, schema=SCHEMAS[name])
        target = folder / f"{name}.parquet"
        partial = folder / f".{name}.parquet.partial"
        pq.write_table(table, partial)
        partial.replace(target)
        written.append(target)
    return written
