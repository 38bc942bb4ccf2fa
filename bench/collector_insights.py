"""Insights computed in the database, at a provider's scale.

PostgreSQL (a private cluster on a Unix socket): 1,000,000 synthetic uploads
from 200,000 installations with 2,000,000 finding rows and 2,000,000 device
rows, generated in SQL (``generate_series``), then the full insights
document and a filtered cohort (one plan tier and one router vendor, about
1,300 homes). SQLite: the same at 100,000 uploads from 20,000 installations
(a recursive CTE). Each figure is the median and spread (min..max) of 5 runs,
beside a reference measured in the same run: one ``count(DISTINCT inst_key)``
over the uploads table (the unit of work the document repeats), so a loaded
machine shows as a slower reference too.

The full document is read from the roll-up tables and their exact counters
(:mod:`homecare.collector.rollups`, :mod:`homecare.collector.rollup_counts`,
built here by their backfill, timed as part of "generated"); the same
document from the raw tables is printed beside it, with a check that both
are identical, and each roll-up section alone on one connection (where the
time goes). The load average is printed before and after: the machine may be
shared.

Targets (issue 18): full document < 2 s and filtered cohort < 200 ms on
PostgreSQL at 1M. Run: ``nice .venv/bin/python bench/collector_insights.py
[--uploads N] [--sqlite-uploads N] [--backend all|postgresql|sqlite]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from homecare_lab.pgtemp import PrivatePostgres, find_bin_dir
from sqlalchemy import Connection, Engine, text

from homecare.collector import rollups
from homecare.collector.db import make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.queries import Filters, cohort_insights, rolled
from homecare.collector.queries.runner import WORK_MEM

RUNS = 5
CODES = (
    "wifi.signal.weak",
    "dns.slow",
    "lan.latency.high",
    "internet.loss",
    "wifi.channel.crowded",
    "router.firmware.old",
    "dns.hijack",
    "wifi.band.24_only",
)
TIERS = ("fiber-100", "fiber-300", "fiber-1000", "dsl-50", "dsl-16", "cable-500")


def _choice(values: tuple[str, ...], expr: str) -> str:
    """A SQL CASE picking values[expr % len] (portable: no arrays in SQLite)."""
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"(CASE ({expr}) % {len(values)} {whens} END)"


def generate(engine: Engine, uploads: int, homes: int) -> None:
    """Fill the insight tables in SQL; each home keeps its cohort and network."""
    pg = engine.dialect.name == "postgresql"
    series = (
        "generate_series(1::bigint, :n) AS s(g)"
        if pg
        else "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) "
        "SELECT g FROM s) AS s"
    )
    minutes = "((g * 7919) % 262080)"  # spread over 26 weeks
    ts = (
        f"(timestamptz '2026-01-05' + {minutes} * interval '1 minute')"
        if pg
        else f"datetime('2026-01-05', '+' || {minutes} || ' minutes')"
    )
    week = f"date_trunc('week', {ts})::date" if pg else f"date({ts}, 'weekday 1', '-7 days')"
    hour = f"(({minutes} / 60) % 24)"
    inst = f"(g % {homes})"
    dims = (
        f"{_choice(TIERS, inst)} AS plan_tier, 'vendor-' || ({inst} * 7 % 25) AS router_vendor, "
        f"CASE WHEN {inst} % 10 = 0 THEN 'wired' ELSE 'wifi' END AS connection_type, "
        f"{_choice(('2.4GHz', '5GHz', '6GHz'), inst)} AS wifi_band, {ts} AS created_at, "
        f"{week} AS week, {hour} AS hour, 'net-' || ({inst} % {int(homes * 0.8)}) AS source_net, "
        f"CASE WHEN g % 4 = 0 THEN 1 + g % 5 END AS feedback_score, "
        f"{inst} AS inst_key, {inst} % {int(homes * 0.8)} AS net_key"
    )
    with engine.begin() as conn:
        conn.execute(
            text(f"""
            INSERT INTO uploads (provider, id, installation_id, support_code, created_at,
              received_at, payload, plan_tier, router_vendor, connection_type, wifi_band, week,
              hour, source_net, feedback_score, plan_down_mbps, download_mbps, upload_mbps,
              down_pct_of_plan, healthy, offer_shown, offer_taken, inst_key, net_key)
            SELECT 'acme', 'u' || g, 'i' || {inst}, 'HC', created_at, created_at, '{{}}',
              plan_tier, router_vendor, connection_type, wifi_band, week, hour, source_net,
              feedback_score, 100.0, 20 + g % 80, 5 + g % 15, 20 + g % 80, g % 3 = 0,
              CASE WHEN g % 5 = 0 THEN 'mesh.upsell' END,
              CASE WHEN g % 5 = 0 THEN g % 10 = 0 END, inst_key, net_key
            FROM (SELECT g, {dims} FROM {series}) AS d"""),
            {"n": uploads},
        )
        for table, extra, values in (
            ("upload_findings", "code", "c.code"),
            ("upload_devices", "kind, vendor", "c.code, 'vendor-' || (g % 40)"),
        ):
            pick = (
                _choice(CODES, "g + c.j")
                if table == "upload_findings"
                else _choice(("phone", "laptop", "tv", "router"), "g + c.j")
            )
            conn.execute(
                text(f"""
                INSERT INTO {table} (provider, upload_id, installation_id, {extra}, plan_tier,
                  router_vendor, connection_type, wifi_band, created_at, week, hour, source_net,
                  feedback_score, inst_key, net_key)
                SELECT 'acme', 'u' || g, 'i' || {inst}, {values}, plan_tier, router_vendor,
                  connection_type, wifi_band, created_at, week, hour, source_net, feedback_score,
                  inst_key, net_key
                FROM (SELECT g, {dims} FROM {series}) AS d
                CROSS JOIN (SELECT j, {pick.replace("g + c.j", "j * 3")} AS code FROM
                  (SELECT 1 AS j UNION ALL SELECT 2) AS jj) AS c"""),
                {"n": uploads},
            )
        # the rows bypassed ingest, so the roll-ups are built the way migration 0006 does
        start = time.perf_counter()
        rollups.backfill(conn)
        print(f"  roll-up backfill: {time.perf_counter() - start:.1f} s")
        conn.execute(text("ANALYZE"))
    if pg:  # what autovacuum does on a live database: the visibility map for index-only scans
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def timed(fn: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms ({min(values) * 1000:.1f}..{max(values) * 1000:.1f})"


def one_section(engine: Engine, fn: Callable[[Connection], object]) -> None:
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        fn(conn)


def run(name: str, engine: Engine, uploads: int, homes: int) -> None:
    upgrade(engine)
    start = time.perf_counter()
    generate(engine, uploads, homes)
    print(
        f"{name}: generated {uploads:,} uploads from {homes:,} installations "
        f"in {time.perf_counter() - start:.1f} s"
    )

    def reference() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(DISTINCT inst_key) FROM uploads")).scalar()

    full = Filters()
    narrow = Filters(plan_tier="fiber-300", router_vendor="vendor-8")
    doc = cohort_insights(engine, "acme", full, 10)
    cohort = cohort_insights(engine, "acme", narrow, 10)
    ref = timed(reference)
    full_t = timed(lambda: cohort_insights(engine, "acme", full, 10))
    raw_t = timed(lambda: cohort_insights(engine, "acme", full, 10, rollups=False))
    same = doc == cohort_insights(engine, "acme", full, 10, rollups=False)
    narrow_t = timed(lambda: cohort_insights(engine, "acme", narrow, 10))
    parts = {
        name: timed(partial(one_section, engine, fn))
        for name, fn in rolled.sections("acme").items()
    }
    print(f"  reference: one distinct count  {fmt(ref)}")
    print(
        f"  full insights document         {fmt(full_t)}  "
        f"({statistics.median(full_t) / statistics.median(ref):.1f} x reference; "
        f"{doc['installations']} installations; from the roll-ups)"
    )
    print(
        f"  full document, raw tables      {fmt(raw_t)}  "
        f"({statistics.median(raw_t) / statistics.median(ref):.1f} x reference; "
        f"identical document: {same})"
    )
    print(
        f"  filtered cohort (tier+vendor)  {fmt(narrow_t)}  "
        f"({cohort['installations']} installations)"
    )
    for name, values in parts.items():
        print(f"  roll-up section {name:22s} {fmt(values)}  (alone, one connection)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--uploads", type=int, default=1_000_000)
    parser.add_argument("--sqlite-uploads", type=int, default=100_000)
    parser.add_argument("--backend", choices=["all", "postgresql", "sqlite"], default="all")
    args = parser.parse_args()
    print(f"insights in the database, median (min..max) of {RUNS} runs")
    print(
        f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"
    )
    if args.backend in ("all", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(sqlite_url(str(Path(tmp) / "bench.sqlite3")))
            run("SQLite", engine, args.sqlite_uploads, args.sqlite_uploads // 5)
            engine.dispose()
    if args.backend in ("all", "postgresql"):
        if find_bin_dir() is None:
            print("PostgreSQL: skipped (server binaries not installed)")
            return 0
        with PrivatePostgres(fsync=False) as pg:
            engine = make_engine(pg.url)
            run("PostgreSQL", engine, args.uploads, args.uploads // 5)
            engine.dispose()
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
