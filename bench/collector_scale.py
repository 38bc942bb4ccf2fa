"""The collector scaled out, on 127.0.0.1 and a private PostgreSQL only.

1. Ingest: uploads/s and p99 latency with 1 and 4 uvicorn workers, and with
   two collector processes on one database (buckets in the database, then
   in Redis); every upload is sent twice, and the stored rows must equal the
   distinct ids (0 lost, 0 duplicated). Every ingest writes the roll-ups of
   migration 0006 too; PostgreSQL's lock waits are sampled meanwhile
   (``pg_stat_activity`` every 20 ms) to show row contention, e.g. on the
   week counter rows. Reference in the same run: ``/healthz`` requests/s
   from the same clients (no database work).
2. Two collector processes on one database, buckets in the database and in
   Redis: one installation's uploads sent alternately to both (the accepted
   count must stay within one bucket, burst + rate x time, not two), and
   many installations against the global capacity guard (likewise one
   budget, the rest 503).
3. A victim's upload success while another source floods (invalid bodies
   and valid uploads as fast as 4 threads can), against the same victim with
   no flood.
4. ``/healthz`` latency while 300 slow clients hold connections, against
   the idle latency.
Each figure: median and spread (min..max) of 5 runs. The machine is shared:
compare a figure with its reference, not with another machine.

Redis is a private ``redis-server`` on a Unix socket
(:mod:`homecare_lab.redistemp`); without one the Redis rows are skipped.

Run: ``nice .venv/bin/python bench/collector_scale.py [--uploads N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
from homecare_lab.pgtemp import PrivatePostgres
from homecare_lab.redistemp import PrivateRedis, find_redis_server
from sqlalchemy import Engine, text

from homecare.collector import rollups
from homecare.collector.db import count_uploads, make_engine
from homecare.collector.migrate import upgrade
from homecare.collector.tokens import create_token


def payload(home: int | str, upload_id: str | None = None) -> dict[str, Any]:
    """A valid upload of installation *home* (a fresh id unless given)."""
    return {
        "schema_version": 1,
        "upload_id": upload_id or str(uuid.uuid4()),
        "installation_id": hashlib.sha256(f"inst-{home}".encode()).hexdigest()[:32],
        "created_at": "2026-05-01T12:30:00Z",
        "homecare_version": "0.1.0",
        "cohort": {
            "plan_tier": "fiber-100",
            "router_vendor": "AVM",
            "connection_type": "wifi",
            "wifi_band": "5GHz",
        },
        "verdict": {"healthy": False, "segment": "wifi"},
        "findings": [
            {
                "code": "wifi.signal.weak",
                "severity": "warning",
                "segment": "wifi",
                "evidence": {"signal_dbm": -75},
            }
        ],
        "devices": [{"kind": "phone", "vendor": "Apple Inc."}],
    }


CLIENTS = 32


@contextmanager
def serve(url: str, *extra: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homecare.collector",
            "serve",
            "--database-url",
            url,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
    assert found, "collector did not start"
    base = found.group(0)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("collector not answering")
        time.sleep(0.1)
    time.sleep(1.0 if "--workers" in extra else 0)  # let every worker come up
    try:
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


def parallel(n: int, work: Callable[[int], None]) -> float:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def fmt(values: list[float], unit: str = "", scale: float = 1.0, digits: int = 1) -> str:
    m, lo, hi = (statistics.median(values) * scale, min(values) * scale, max(values) * scale)
    return f"{m:.{digits}f}{unit} ({lo:.{digits}f}..{hi:.{digits}f})"


def reset(engine: Engine, redis_url: str | None = None) -> None:
    """Empty the data, the roll-ups and the buckets (database and Redis)."""
    names = ["uploads", "upload_keys", "upload_findings", "upload_devices", "rate_buckets"]
    names += ["audit_events", *(t.name for t in rollups.metadata.sorted_tables)]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(names)}"))
    if redis_url:
        from redis import Redis

        with Redis.from_url(redis_url) as client:
            client.flushall()


class LockWaits:
    """Samples ``pg_stat_activity`` every 20 ms while a run goes on: the share
    of active client backends waiting on a lock, and on which statement."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.active, self.waiting = engine, 0, 0
        self.by_statement: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> LockWaits:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        query = text(
            "SELECT wait_event_type, left(regexp_replace(query, '\\s+', ' ', 'g'), 48)"
            " FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend'"
            " AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self._stop.wait(0.02):
                for kind, statement in conn.execute(query):
                    self.active += 1
                    if kind == "Lock":
                        self.waiting += 1
                        self.by_statement[statement] = self.by_statement.get(statement, 0) + 1
                conn.rollback()

    @property
    def share(self) -> float:
        return self.waiting / self.active if self.active else 0.0

    def top(self) -> str:
        if not self.by_statement:
            return "none"
        statement, n = max(self.by_statement.items(), key=lambda kv: kv[1])
        return f"{n / self.waiting:.0%} on '{statement}'"


def ingest_run(bases: list[str], token: str, uploads: int) -> tuple[float, float, float, int]:
    """(uploads/s, healthz req/s, p99 s, error count) for one run; client *i*
    sends to ``bases[i % len(bases)]``."""
    items = [payload(n % 1000, upload_id=str(uuid.uuid4())) for n in range(uploads)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def send(i: int) -> None:
        mine = items[i::CLIENTS]
        with httpx.Client(
            base_url=bases[i % len(bases)],
            timeout=60,
            headers={"Authorization": f"Bearer {token}"},
            # each client from its own /24, as homes are (the sybil defence's networks)
            transport=httpx.HTTPTransport(local_address=f"127.1.{i}.1"),
        ) as c:
            for p in mine + mine:  # every upload twice
                start = time.perf_counter()
                r = c.post("/v1/uploads", json=p)
                took = time.perf_counter() - start
                with lock:
                    latencies.append(took)
                    errors[0] += r.status_code >= 500 or r.status_code not in (200, 201)

    elapsed = parallel(CLIENTS, send)

    def probe(i: int) -> None:
        with httpx.Client(base_url=bases[i % len(bases)], timeout=30) as c:
            for _ in range(uploads * 2 // CLIENTS):
                c.get("/healthz")

    ref = parallel(CLIENTS, probe)
    latencies.sort()
    return uploads / elapsed, uploads * 2 / ref, latencies[int(len(latencies) * 0.99)], errors[0]


def bench_ingest(
    pg_url: str,
    engine: Engine,
    token: str,
    uploads: int,
    runs: int,
    redis_url: str | None,
    only: set[int] | None = None,
) -> None:
    setups: list[tuple[str, int, tuple[str, ...], bool]] = [
        ("1 worker", 1, (), False),
        ("4 workers", 1, ("--workers", "4"), False),
        ("two processes, buckets in the database", 2, (), False),
    ]
    if redis_url:
        setups.append(("two processes, buckets in Redis", 2, ("--redis-url", redis_url), True))
    for number, (label, processes, extra, uses_redis) in enumerate(setups):
        if only is not None and number not in only:
            continue
        rates, refs, p99s, waits, bad, lost, dup = [], [], [], [], 0, 0, 0
        top = ""
        with ExitStack() as stack:
            bases = [
                stack.enter_context(serve(pg_url, *extra, "--source-rate", "0"))
                for _ in range(processes)
            ]
            for _ in range(runs):
                reset(engine, redis_url if uses_redis else None)
                with LockWaits(engine) as locks:
                    rate, ref, p99, errors = ingest_run(bases, token, uploads)
                rows, distinct = count_uploads(engine)
                lost += uploads - distinct
                dup += rows - distinct
                rates.append(rate)
                refs.append(ref)
                p99s.append(p99)
                waits.append(locks.share)
                top = locks.top()
                bad += errors
        print(
            f"  ingest, {label}: {fmt(rates, ' uploads/s')} (each sent twice: "
            f"{fmt([2 * r for r in rates], ' requests/s')}), p99 {fmt(p99s, ' ms', 1000)}; "
            f"reference /healthz {fmt(refs, ' req/s')}; lost {lost}, duplicated {dup}, "
            f"errors {bad}; backends waiting on a lock {fmt(waits, ' %', 100)} (last run: {top})"
        )


def bench_two_processes(
    pg_url: str, engine: Engine, token: str, runs: int, redis_url: str | None
) -> None:
    rate, burst, seconds = 2.0, 10, 5.0
    backends = [("database", ())] + ([("Redis", ("--redis-url", redis_url))] if redis_url else [])
    for name, more in backends:
        accepted: list[float] = []
        extra = ("--rate", str(rate), "--burst", str(burst), "--source-rate", "0", *more)
        with serve(pg_url, *extra) as a, serve(pg_url, *extra) as b:
            for run in range(runs):
                reset(engine, redis_url)
                ok = 0
                start = time.perf_counter()
                with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
                    while time.perf_counter() - start < seconds:
                        for base in (a, b):
                            r = c.post(base + "/v1/uploads", json=payload(f"shared-{run}"))
                            ok += r.status_code == 201
                allowed = burst + rate * (time.perf_counter() - start)
                accepted.append(ok / allowed)
        print(
            f"  two processes, one installation, buckets in the {name}: accepted "
            f"{fmt(accepted, ' x one bucket', 1, 2)} (1.00 = limit held across both; "
            f"2.00 = each process its own)"
        )


def bench_global_guard(
    pg_url: str, engine: Engine, token: str, runs: int, redis_url: str | None
) -> None:
    """Two processes, 8 client threads, distinct installations, a global
    budget of 4 uploads/s (burst 8, below what ingest reaches here): accepted
    against one budget."""
    rate, burst, seconds = 4.0, 8, 4.0
    backends = [("database", ())] + ([("Redis", ("--redis-url", redis_url))] if redis_url else [])
    for name, more in backends:
        accepted: list[float] = []
        busy: list[float] = []
        extra = ("--global-rate", str(rate), "--global-burst", str(burst), "--rate", "0",
                 "--source-rate", "0", *more)  # fmt: skip
        with serve(pg_url, *extra) as a, serve(pg_url, *extra) as b:
            for run in range(runs):
                reset(engine, redis_url)
                codes: dict[int, int] = {}
                lock = threading.Lock()
                start = time.perf_counter()

                def send(
                    i: int,
                    run: int = run,
                    codes: dict[int, int] = codes,
                    lock: threading.Lock = lock,
                    start: float = start,
                ) -> None:
                    with httpx.Client(
                        base_url=(a, b)[i % 2],
                        timeout=30,
                        headers={"Authorization": f"Bearer {token}"},
                    ) as c:
                        n = 0
                        while time.perf_counter() - start < seconds:
                            r = c.post("/v1/uploads", json=payload(f"g{run}-{i}-{n}"))
                            n += 1
                            with lock:
                                codes[r.status_code] = codes.get(r.status_code, 0) + 1

                took = parallel(8, send)
                accepted.append(codes.get(201, 0) / (burst + rate * took))
                busy.append(codes.get(503, 0) / max(1, sum(codes.values())))
        print(
            f"  global guard ({rate:.0f}/s, burst {burst}), two processes, budget in the {name}: "
            f"accepted {fmt(accepted, ' x one budget', 1, 2)}; answered 503 "
            f"{fmt(busy, ' %', 100, 0)} of requests"
        )


def bench_victim(pg_url: str, engine: Engine, token: str, runs: int) -> None:
    def victim(base: str, run: int) -> float:
        transport = httpx.HTTPTransport(local_address="127.0.0.3")
        with httpx.Client(
            base_url=base,
            timeout=30,
            transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        ) as c:
            codes = [
                c.post("/v1/uploads", json=payload(f"victim-{run}-{n}")).status_code
                for n in range(30)
            ]
        return codes.count(201) / len(codes)

    calm: list[float] = []
    flooded: list[float] = []
    attack_codes: dict[int, int] = {}
    with serve(pg_url) as base:
        for run in range(runs):
            reset(engine)
            calm.append(victim(base, run))
            reset(engine)
            stop = threading.Event()

            def flood(i: int, stop: threading.Event = stop) -> None:
                transport = httpx.HTTPTransport(local_address="127.0.0.2")
                with httpx.Client(
                    base_url=base,
                    timeout=30,
                    transport=transport,
                    headers={"Authorization": f"Bearer {token}"},
                ) as c:
                    while not stop.is_set():
                        body = (
                            b'{"bad": true}' if i % 2 else json.dumps(payload("attacker")).encode()
                        )
                        r = c.post(
                            "/v1/uploads",
                            content=body,
                            headers={"Content-Type": "application/json"},
                        )
                        attack_codes[r.status_code] = attack_codes.get(r.status_code, 0) + 1

            threads = [threading.Thread(target=flood, args=(i,)) for i in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.0)
            flooded.append(victim(base, run + 100))
            stop.set()
            for t in threads:
                t.join()
    print(
        f"  victim upload success: {fmt(flooded, '', 100, 0)} % under flood, "
        f"reference {fmt(calm, '', 100, 0)} % without; attacker answers {dict(sorted(attack_codes.items()))}"
    )


def bench_slowloris(pg_url: str, runs: int) -> None:
    def latencies(base: str, n: int = 50) -> list[float]:
        out = []
        with httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(n):
                start = time.perf_counter()
                c.get("/healthz")
                out.append(time.perf_counter() - start)
        return out

    idle, held, dropped = [], [], []
    with serve(pg_url, "--header-timeout", "10") as base:
        parts = urlsplit(base)
        for _ in range(runs):
            idle.append(statistics.median(latencies(base)))
            socks = []
            for _n in range(300):
                s = socket.create_connection((parts.hostname, parts.port), timeout=5)
                s.sendall(b"POST /v1/uploads HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                socks.append(s)
            held.append(statistics.median(latencies(base)))
            time.sleep(11)
            closed = 0
            for s in socks:
                s.settimeout(0.5)
                try:
                    while s.recv(65536):
                        pass
                    closed += 1
                except TimeoutError:
                    pass
                except OSError:
                    closed += 1
                s.close()
            dropped.append(closed)
    print(
        f"  /healthz with 300 slow clients: {fmt(held, ' ms', 1000, 2)}, reference idle "
        f"{fmt(idle, ' ms', 1000, 2)}; slow clients dropped after the 10 s header deadline: "
        f"{fmt([float(d) for d in dropped], '', 1, 0)} of 300"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--uploads", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only", choices=["ingest", "two", "global", "victim", "slowloris"], default=None
    )
    parser.add_argument(
        "--setups", default=None, help="ingest only these setups (comma-separated indexes)"
    )
    parser.add_argument(
        "--no-fsync", action="store_true", help="PostgreSQL without fsync (as before: faster)"
    )
    args = parser.parse_args()
    print(f"collector scale-out on PostgreSQL, median (min..max) of {args.runs} runs")
    with ExitStack() as stack:
        pg = stack.enter_context(PrivatePostgres(fsync=not args.no_fsync))
        redis_url = stack.enter_context(PrivateRedis()).url if find_redis_server() else None
        if redis_url is None:
            print("  (redis-server not installed: the Redis rows are skipped)")
        engine = make_engine(pg.url)
        upgrade(engine)
        token = create_token(engine, "ingest", "acme")
        if args.only in (None, "ingest"):
            only = {int(x) for x in args.setups.split(",")} if args.setups else None
            bench_ingest(pg.url, engine, token, args.uploads, args.runs, redis_url, only)
        if args.only in (None, "two"):
            bench_two_processes(pg.url, engine, token, args.runs, redis_url)
        if args.only in (None, "two", "global"):
            bench_global_guard(pg.url, engine, token, args.runs, redis_url)
        if args.only in (None, "victim"):
            bench_victim(pg.url, engine, token, args.runs)
        if args.only in (None, "slowloris"):
            bench_slowloris(pg.url, args.runs)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
