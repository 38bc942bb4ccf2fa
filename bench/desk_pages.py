"""Desk and console page times against the JSON API they sit beside.

A collector on 127.0.0.1 (SQLite) holding N uploads from N/5 installations
(inserted directly); then, 5 runs each, median and spread (min..max):

- a desk lookup (``/desk/?code=…``: the upload, the installation's timeline,
  sessions and alerts, the catalogue advice, the script, rendered) against
  ``GET /v1/results/{code}`` for the same code (one row, as JSON);
- the console (``/console/``, unfiltered and filtered by router vendor) and
  its Parquet export against ``GET /v1/insights`` with the same filter.

The API call is the reference measured in the same run, so a loaded machine
shows as a slower reference too. Run: ``nice .venv/bin/python
bench/desk_pages.py [--uploads N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import Engine

from homecare.collector.app import create_app
from homecare.collector.db import insert_upload, make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.server import start_background
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import create_token
from homecare.share.support_code import from_upload_id

RUNS = 5
VENDORS = ("AVM", "Zyxel", "TP-Link", "Netgear", "Huawei")
CODES = ("wifi.signal.weak", "dns.slow", "lan.latency.high", "internet.loss")


def seed(engine: Engine, uploads: int) -> str:
    rnd = random.Random(7)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    code = ""
    for i in range(uploads):
        inst = f"{i % max(1, uploads // 5):032x}"
        uid = str(uuid.UUID(int=rnd.getrandbits(128)))
        created = start + timedelta(minutes=37 * i)
        body = {
            "schema_version": 1, "upload_id": uid, "installation_id": inst,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "homecare_version": "0.1.0", "provider": "acme", "language": "en", "areas": ["wifi"],
            "cohort": {"plan_tier": rnd.choice(("fiber-100", "dsl-50")), "plan_down_mbps": 100.0,
                       "router_vendor": rnd.choice(VENDORS), "connection_type": "wifi",
                       "wifi_band": rnd.choice(("2.4GHz", "5GHz"))},
            "verdict": {"healthy": False, "segment": "wifi"},
            "findings": [{"code": c, "severity": "warning", "segment": "wifi",
                          "evidence": {"signal_dbm": -70}} for c in rnd.sample(CODES, 2)],
            "speeds": {"download_mbps": rnd.uniform(20, 100), "upload_mbps": 20.0},
            "feedback_score": rnd.randint(1, 5),
        }  # fmt: skip
        code = from_upload_id(uid)
        insert_upload(engine, upload_id=uid, provider="acme", installation_id=inst,
                      support_code=code, created_at=created,
                      payload_json=json.dumps(body))  # fmt: skip
    return code


def timed(fn: Callable[[], httpx.Response]) -> tuple[float, float, float]:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = fn()
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (r.status_code, r.text[:200])
    return statistics.median(times), min(times), max(times)


def show(name: str, figures: tuple[float, float, float]) -> None:
    med, low, high = figures
    print(f"  {name:<44} median {1000 * med:8.1f} ms  ({1000 * low:.1f}..{1000 * high:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=5000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    url = sqlite_url(str(folder / "c.sqlite3"))
    engine = make_engine(url)
    upgrade(engine)
    t = time.perf_counter()
    code = seed(engine, args.uploads)
    print(f"SQLite, {args.uploads} uploads from {args.uploads // 5} installations "
          f"(seeded in {time.perf_counter() - t:.0f} s); {RUNS} runs each")  # fmt: skip
    settings = CollectorSettings(database_url=url, lookup_rate_per_s=0, insights_rate_per_s=0,
                                 session_secret="bench" * 8)  # fmt: skip
    server = start_background(create_app(settings, engine))
    support, analyst = (create_token(engine, r, "acme") for r in ("support", "analyst"))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            sup = {"Authorization": f"Bearer {support}"}
            ana = {"Authorization": f"Bearer {analyst}"}
            show(
                "reference: GET /v1/results/{code}",
                timed(lambda: c.get(f"/v1/results/{code}", headers=sup)),
            )
            show(
                "desk lookup /desk/?code=",
                timed(lambda: c.get("/desk/", params={"code": code}, headers=sup)),
            )
            for label, params in (("", {}), (" router_vendor=AVM", {"router_vendor": "AVM"})):
                show(
                    f"reference: GET /v1/insights{label}",
                    timed(partial(c.get, "/v1/insights", params=params, headers=ana)),
                )
                show(
                    f"console /console/{label}",
                    timed(partial(c.get, "/console/", params=params, headers=ana)),
                )
                show(
                    f"export /console/export.parquet{label}",
                    timed(partial(c.get, "/console/export.parquet", params=params, headers=ana)),
                )
    finally:
        server.stop()
        engine.dispose()


if __name__ == "__main__":
    main()
