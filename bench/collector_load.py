"""Load and crash test of the collector, against 127.0.0.1 only.

1. Throughput and idempotency: N distinct uploads, each sent three times in
   random order by 50 concurrent clients (threads, httpx); checks stored rows
   == distinct ids and zero 5xx; for SQLite and for a private PostgreSQL.
2. Crash: spool clients (the real ``homecare.share.spool``) deliver uploads
   while the collector process is SIGKILLed mid-run and restarted; checks
   that every acknowledged upload is stored, everything is delivered in the
   end, and nothing is stored twice.

Run: ``.venv/bin/python bench/collector_load.py [--quick] [--backend sqlite|postgresql|all]``.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from homecare_lab.pgtemp import PrivatePostgres, find_bin_dir

from homecare.collector.db import count_uploads, make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.tokens import create_token
from homecare.share.client import CollectorClient
from homecare.share.payload import UploadPayload
from homecare.share.spool import Spool, SpoolLimits

BANDS = ("2.4GHz", "5GHz", "6GHz", None)
TIERS = ("fiber-100", "fiber-300", "dsl-50", None)
CODES = (
    "wifi.signal.weak",
    "dns.slow",
    "lan.latency.high",
    "internet.loss",
    "wifi.channel.crowded",
)


def make_payload(rng: random.Random, n: int) -> dict[str, Any]:
    band = rng.choice(BANDS)
    p = {
        "schema_version": 1,
        "upload_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "installation_id": hashlib.sha256(f"i{n % 2000}".encode()).hexdigest()[:32],
        "created_at": "2026-05-01T12:30:00Z",
        "homecare_version": "0.1.0",
        "cohort": {
            "plan_tier": rng.choice(TIERS),
            "router_vendor": rng.choice(["AVM", "Sagemcom", None]),
            "connection_type": "wifi" if band else "wired",
            "wifi_band": band,
        },
        "verdict": {"healthy": False, "segment": "wifi"},
        "findings": [
            {"code": c, "severity": "warning", "segment": "wifi", "evidence": {"x": 1}}
            for c in rng.sample(CODES, rng.randint(0, 3))
        ],
        "devices": [
            {"kind": rng.choice(["phone", "tv", "computer"]), "vendor": "Apple Inc."}
            for _ in range(rng.randint(1, 12))
        ],
        "speeds": {"download_mbps": rng.uniform(5, 300), "upload_mbps": rng.uniform(1, 50)},
    }
    return UploadPayload.model_validate(p).model_dump(mode="json")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CollectorProcess:
    """``homecare-collector serve`` as a child process on 127.0.0.1."""

    def __init__(self, db_args: list[str], port: int) -> None:
        self.db_args, self.port = db_args, port
        self.proc: subprocess.Popen[str] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "homecare.collector",
                "serve",
                *self.db_args,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--rate",
                "0",
                "--source-rate",  # every client is 127.0.0.1: one source
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(
                f"collector did not start: {line} {self.proc.stderr.read() if self.proc.stderr else ''}"
            )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def throughput(
    db_url: str, db_args: list[str], uploads: int, clients: int, repeat: int
) -> dict[str, Any]:
    engine = make_engine(db_url)
    upgrade(engine)
    token = create_token(engine, "ingest", "bench")
    rng = random.Random(42)
    payloads = [make_payload(rng, n) for n in range(uploads)]
    work: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
    jobs = [p for p in payloads for _ in range(repeat)]
    rng.shuffle(jobs)
    for job in jobs:
        work.put(job)
    for _ in range(clients):
        work.put(None)
    statuses: collections.Counter[int] = collections.Counter()
    errors = collections.Counter[str]()
    lock = threading.Lock()
    server = CollectorProcess(db_args, free_port())
    server.start()

    def worker() -> None:
        local: collections.Counter[int] = collections.Counter()
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            while (job := work.get()) is not None:
                for _attempt in range(5):
                    try:
                        local[client.post("/v1/uploads", json=job).status_code] += 1
                        break
                    except httpx.HTTPError as exc:
                        with lock:
                            errors[type(exc).__name__] += 1
        with lock:
            statuses.update(local)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    server.stop()
    rows, distinct = count_uploads(engine)
    engine.dispose()
    return {
        "requests": len(jobs),
        "elapsed_s": elapsed,
        "requests_per_s": len(jobs) / elapsed,
        "statuses": dict(statuses),
        "errors": dict(errors),
        "rows": rows,
        "distinct": distinct,
        "expected": uploads,
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
    }


def crash(
    db_url: str, db_args: list[str], uploads: int, clients: int, workdir: Path
) -> dict[str, Any]:
    engine = make_engine(db_url)
    upgrade(engine)
    token = create_token(engine, "ingest", "bench")
    rng = random.Random(7)
    spools = []
    for c in range(clients):
        s = Spool(workdir / f"spool-{c}", SpoolLimits(max_items=100_000, max_bytes=1 << 30))
        for n in range(c, uploads, clients):
            s.add(make_payload(rng, n))
        spools.append(s)
    server = CollectorProcess(db_args, free_port())
    server.start()
    acked: set[str] = set()
    lock = threading.Lock()
    failures = collections.Counter[str]()

    def client_loop(spool: Spool) -> None:
        with CollectorClient(server.url, token, timeout=10) as client:
            while spool.pending():
                report = spool.flush(client.send, force=True)
                with lock:
                    acked.update(report.delivered)
                    if report.last_error:
                        failures[report.last_error] += 1
                if report.last_error:
                    time.sleep(0.05 + random.random() * 0.1)

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(s,)) for s in spools]
    for t in threads:
        t.start()
    kills = lost_at_kills = 0
    for fraction in (0.3, 0.6):
        while len(acked) < uploads * fraction and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        with lock:
            acked_at_kill = set(acked)
        server.kill()
        kills += 1
        lost_at_kills += len(acked_at_kill - stored_ids(engine))
        time.sleep(0.5)
        server.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    server.stop()
    rows, distinct = count_uploads(engine)
    stored = stored_ids(engine)
    engine.dispose()
    return {
        "uploads": uploads,
        "kills": kills,
        "elapsed_s": elapsed,
        "acked": len(acked),
        "rows": rows,
        "distinct": distinct,
        "acked_missing": len(acked - stored) + lost_at_kills,
        "client_retries": dict(failures),
    }


def stored_ids(engine: Any) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT id FROM uploads")}


def backends(choice: str, stack: ExitStack, workdir: Path) -> list[tuple[str, str, list[str]]]:
    out = []
    if choice in ("sqlite", "all"):
        path = workdir / "collector.sqlite3"
        out.append(("sqlite", sqlite_url(str(path)), ["--db", str(path)]))
    if choice in ("postgresql", "all"):
        if find_bin_dir() is None or shutil.which("runuser") is None:
            print("postgresql: skipped (server binaries not installed)")
        else:
            pg = stack.enter_context(PrivatePostgres(fsync=True))
            out.append(("postgresql", pg.url, ["--database-url", pg.url]))
    return out


def reset(db_url: str) -> None:
    """An empty database for the next part (every table the migrations made)."""
    engine = make_engine(db_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    elif engine.url.database:
        Path(engine.url.database).unlink(missing_ok=True)
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 uploads instead of 10,000")
    parser.add_argument("--uploads", type=int, default=None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--no-crash", action="store_true", help="skip the kill/restart variant")
    args = parser.parse_args()
    uploads = args.uploads or (1000 if args.quick else 10_000)
    crash_uploads = max(200, uploads // 5)
    ok = True
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="collector-bench-")))
        for name, url, db_args in backends(args.backend, stack, workdir):
            r = throughput(url, db_args, uploads, args.clients, args.repeat)
            good = r["rows"] == r["distinct"] == r["expected"] and r["5xx"] == 0
            ok &= good
            print(
                f"{name:10} throughput: {r['requests']} requests ({uploads} uploads x{args.repeat}) "
                f"by {args.clients} clients in {r['elapsed_s']:.1f} s = {r['requests_per_s']:.0f} uploads/s; "
                f"statuses {r['statuses']}; 5xx {r['5xx']}; client errors {r['errors'] or 0}; "
                f"rows {r['rows']} distinct {r['distinct']} expected {r['expected']} -> "
                f"{'OK' if good else 'FAIL'}"
            )
            if args.no_crash:
                continue
            reset(url)
            c = crash(url, db_args, crash_uploads, 20, workdir / f"crash-{name}")
            good = c["rows"] == c["distinct"] == c["uploads"] and c["acked_missing"] == 0
            ok &= good
            print(
                f"{name:10} crash: {c['uploads']} uploads by 20 spool clients, collector SIGKILLed "
                f"{c['kills']}x and restarted, {c['elapsed_s']:.1f} s; acknowledged-but-missing "
                f"{c['acked_missing']}; rows {c['rows']} distinct {c['distinct']}; client retries "
                f"{sum(c['client_retries'].values())} -> {'OK' if good else 'FAIL'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
