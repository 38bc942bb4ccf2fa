"""Trends over a year of minute samples stay fast (issue 16).

A history with one light sample a minute for 365 days (525,600 rows) and about
four speed tests a day (slower 19-23 h) is written once; then, 5 runs each, median and spread
(min..max):

- ``load_period`` for the last 30 days and for the whole year, on the raw
  rows only (no roll-up yet: the worst case);
- the hourly roll-up with 35 days' retention (what the monitor does hourly);
- ``load_period`` again, for 30 days and the year, on the roll-ups;
- the reference, measured in the same run: one ``SELECT COUNT(*)`` over the
  raw samples table, so a loaded machine shows as a slower reference too.

Target: trends computed in well under a second. Run:
``nice .venv/bin/python bench/trends.py [--days 365]``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from homecare.monitor.period import load_period
from homecare.store.samples import Sample, SampleStore

RUNS = 5
TZ: tzinfo = datetime.now().astimezone().tzinfo or UTC


def fill(store: SampleStore, days: int, now: float) -> int:
    rng = random.Random(16)
    start = now - days * 86400
    batch: list[Sample] = []
    total = 0
    for minute in range(days * 1440):
        ts = start + minute * 60
        up = rng.random() > 0.001
        batch.append(
            Sample(ts=ts, kind="light", router_ok=True, internet_ok=up, dns_ok=up,
                   rtt_ms=18 + rng.random() * 4 if up else None, loss=0.0 if up else None)
        )  # fmt: skip
        if rng.random() < 4 / 1440:  # about four speed tests a day, at random times
            hour = datetime.fromtimestamp(ts, TZ).hour
            ratio = (0.4 if 19 <= hour < 23 else 0.95) * rng.uniform(0.95, 1.05)
            batch.append(
                Sample(ts=ts + 1, kind="speed", down_mbit=100 * ratio, plan_down_mbit=100.0)
            )
        if len(batch) >= 20_000:
            store.add_many(batch)
            total += len(batch)
            batch.clear()
    store.add_many(batch)
    return total + len(batch)


def timed(fn: Callable[[], object]) -> tuple[float, float, float]:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def show(label: str, figures: tuple[float, float, float]) -> None:
    med, low, high = figures
    print(f"{label:<44} {med * 1000:9.1f} ms  (spread {low * 1000:.1f}..{high * 1000:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hc-bench-trends-"))
    now = time.time()
    try:
        with SampleStore.open(folder / "history.sqlite3") as store:
            t0 = time.perf_counter()
            rows = fill(store, args.days, now)
            print(
                f"{rows} samples over {args.days} days written in {time.perf_counter() - t0:.1f} s"
            )

            def reference() -> object:
                return store.read("SELECT COUNT(*) FROM samples", ())

            def month() -> object:
                return load_period(store, now=now, days=30, tz=TZ)

            def year() -> object:
                return load_period(store, now=now, days=args.days, tz=TZ)

            show("reference: COUNT(*) over raw samples", timed(reference))
            show("trends, 30 days, raw rows only", timed(month))
            show(f"trends, {args.days} days, raw rows only", timed(year))
            roll = []
            for _ in range(RUNS):  # the first run rolls up, the rest find nothing new
                t0 = time.perf_counter()
                store.roll_up(now)
                roll.append(time.perf_counter() - t0)
            print(f"roll-up and 35-day retention, first run {roll[0] * 1000:.0f} ms; "
                  f"later runs median {statistics.median(roll[1:]) * 1000:.1f} ms")  # fmt: skip
            print(f"raw samples kept: {store.count()}")
            show("reference: COUNT(*) over raw samples", timed(reference))
            show("trends, 30 days, after roll-up", timed(month))
            show(f"trends, {args.days} days, after roll-up", timed(year))
            period = year()
            slow = period.trends.slow_hours  # type: ignore[attr-defined]
            print(
                f"slow hours found: {slow.start_hour}-{slow.end_hour} h"
                if slow
                else "no slow hours"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
