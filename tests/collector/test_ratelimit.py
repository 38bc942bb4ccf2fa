"""Rate limits shared by instances: the database and Redis backends give the
same answers, charges are atomic under concurrency, two collector processes
on one Redis (or one database) hold one bucket between them, the global
capacity guard answers 503 + Retry-After across two processes, and a Redis
that is down fails closed (503), in one line at start.

Redis is a private ``redis-server`` on a Unix socket in a temporary folder
(:mod:`homecare_lab.redistemp`), never the host's service."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from homecare_lab.redistemp import PrivateRedis, find_redis_server
from redis import Redis
from sqlalchemy import Engine, func, select

from homecare.collector.db import make_engine, rate_buckets, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.ratelimit import (
    GlobalBudget,
    Limiter,
    LimiterUnavailable,
    RedisBuckets,
    SharedBuckets,
    TokenBuckets,
    connect_redis,
)
from homecare.collector.tokens import create_token

from .conftest import start_collector
from .databases import fresh_postgres
from .payloads import payload


@pytest.fixture(scope="module")
def redis_server() -> Iterator[PrivateRedis]:
    if find_redis_server() is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with PrivateRedis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: PrivateRedis) -> Iterator[str]:
    client = Redis.from_url(redis_server.url)
    client.flushall()
    yield redis_server.url
    client.close()


def _backends(engine: Engine, redis_url: str, rate: float, burst: int) -> dict[str, Limiter]:
    return {
        "database": SharedBuckets(engine, rate, burst),
        "redis": RedisBuckets(connect_redis(redis_url), rate, burst),
        "local": TokenBuckets(rate, burst),
    }


def test_redis_and_database_buckets_answer_alike(db_url: str, redis_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    # a slow refill (one token per 1000 s), so the test's own time does not matter
    answers = {}
    for name, limiter in _backends(engine, redis_url, 0.001, 12).items():
        seq = [limiter.take("src:a") > 0 for _ in range(3)]  # 9 left
        seq += [limiter.take("src:a", 5.0) > 0 for _ in range(2)]  # invalid bodies: 4, then refused
        seq += [limiter.take("src:a", 0.0) > 0]  # "still allowed?" spends nothing
        seq += [limiter.take("src:a") > 0 for _ in range(5)]  # 4 more, then refused
        seq += [limiter.take("src:b") > 0]  # another key has its own bucket
        answers[name] = seq
        wait = limiter.take("src:a")
        assert 500 < wait <= 1000, (name, wait)  # one token at 0.001/s: about 1000 s
    expected = [False] * 3 + [False, True, False] + [False] * 4 + [True, False]
    assert answers == {"database": expected, "redis": expected, "local": expected}
    engine.dispose()


def test_redis_charges_are_atomic(redis_url: str) -> None:
    limiter = RedisBuckets(connect_redis(redis_url), 0.001, 50)
    allowed = [0]
    lock = threading.Lock()

    def hammer() -> None:
        mine = sum(limiter.take("inst:acme:x") == 0 for _ in range(25))
        with lock:
            allowed[0] += mine

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed[0] == 50  # 200 tries at one bucket of 50: exactly 50, never more


def test_global_budget_leases_from_the_shared_bucket(redis_url: str) -> None:
    shared = RedisBuckets(connect_redis(redis_url), 0.001, 100)
    a, b = GlobalBudget(shared, lease=10), GlobalBudget(shared, lease=10)
    taken = sum(g.take() == 0 for _ in range(80) for g in (a, b))
    assert taken == 100  # two instances, one budget of 100
    assert a.take() > 0 and b.take() > 0


def test_redis_down_fails_closed_with_503(tmp_path: Path) -> None:
    if find_redis_server() is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    server = PrivateRedis().start()
    c = start_collector(sqlite_url(str(tmp_path / "c.sqlite3")), redis_url=server.url)
    try:
        with c.client(c.ingest) as client:
            assert client.post("/v1/uploads", json=payload(1)).status_code == 201
            server.stop()
            r = client.post("/v1/uploads", json=payload(2))
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "5"
            assert r.json() == {"detail": "rate limits unavailable"}
    finally:
        server.stop()
        c.server.stop()
        c.engine.dispose()
    with pytest.raises(LimiterUnavailable, match="cannot reach Redis at redis://u:\\*\\*\\*@"):
        connect_redis("redis://u:secret@127.0.0.1:1/0")


def test_serve_with_an_unreachable_redis_says_so_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "homecare.collector", "serve", "--db", str(tmp_path / "c.db"),
            "--port", "0", "--redis-url", f"unix://{tmp_path}/none.sock",
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "homecare-collector: cannot reach Redis at unix://"
    )


@contextmanager
def two_collectors(db: str, *extra: str) -> Iterator[tuple[str, str]]:
    """Two ``homecare-collector serve`` processes on one database (and Redis, in *extra*)."""
    procs, urls = [], []
    try:
        for _ in range(2):
            proc = subprocess.Popen(
                [
                    sys.executable, "-m", "homecare.collector", "serve", "--database-url", db,
                    "--host", "127.0.0.1", "--port", "0", *extra,
                ],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            procs.append(proc)
            assert proc.stdout is not None
            found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
            assert found, proc.stderr.read() if proc.stderr else ""
            urls.append(found.group(0))
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)


def _alternate(urls: tuple[str, str], token: str, bodies: list[bytes]) -> list[httpx.Response]:
    out = []
    with httpx.Client(timeout=20, headers={"Authorization": f"Bearer {token}"}) as c:
        for n, body in enumerate(bodies):
            out.append(
                c.post(
                    urls[n % 2] + "/v1/uploads",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
            )
    return out


def _json(p: object) -> bytes:
    import json

    return json.dumps(p).encode()


def test_two_processes_on_one_redis_hold_one_bucket(tmp_path: Path, redis_url: str) -> None:
    db = sqlite_url(str(tmp_path / "c.sqlite3"))
    engine = make_engine(db)
    upgrade(engine)
    token = create_token(engine, "ingest", "acme")
    # per installation: burst 10 at 0.01/s; per source: burst 30, an invalid body costs 1 + 5
    extra = ("--redis-url", redis_url, "--rate", "0.01", "--burst", "10",
             "--source-rate", "0.01", "--source-burst", "30")  # fmt: skip
    with two_collectors(db, *extra) as urls:
        home = [_json(payload("home")) for _ in range(16)]
        codes = [r.status_code for r in _alternate(urls, token, home)]
        assert codes == [201] * 10 + [429] * 6, codes  # one bucket of 10, not 10 each
        # 30 - 16 = 14 tokens left for this source: two invalid bodies (6 each), then 429
        bad = [r.status_code for r in _alternate(urls, token, [b'{"bad": 1}'] * 4)]
        assert bad == [422, 422, 429, 429], bad
        refused = _alternate(urls, token, [_json(payload("other"))])[0]
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 1
    with engine.connect() as conn:  # the buckets were in Redis, not in the database
        assert conn.execute(select(func.count()).select_from(rate_buckets)).scalar_one() == 0
    keys = {str(k) for k in Redis.from_url(redis_url, decode_responses=True).keys("homecare:*")}
    assert any(k.startswith("homecare:rate:inst:acme:") for k in keys), keys
    assert any(k.startswith("homecare:rate:src:127.0.0.1") for k in keys), keys
    engine.dispose()


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_global_capacity_guard_holds_across_two_processes(
    backend: str, pg_url: str, redis_server: PrivateRedis
) -> None:
    engine = fresh_postgres(pg_url)
    Redis.from_url(redis_server.url).flushall()
    token = create_token(engine, "ingest", "acme")
    # 0.5/s: the 60 uploads outrun the budget even when a loaded machine takes a
    # minute over them (at 4/s, 15 s of uploads were all within it: no 503 at all);
    # one budget per process would still accept about twice the bound below
    rate, burst = 0.5, 8
    extra = ["--global-rate", str(rate), "--global-burst", str(burst), "--rate", "0",
             "--source-rate", "0"]  # fmt: skip
    if backend == "redis":
        extra += ["--redis-url", redis_server.url]
    with two_collectors(pg_url, *extra) as urls:
        start = time.monotonic()
        answers = _alternate(urls, token, [_json(payload(f"h{n}")) for n in range(60)])
        took = time.monotonic() - start
    codes = [r.status_code for r in answers]
    allowed = burst + rate * took
    assert set(codes) == {201, 503}, codes
    # one budget for both: each process with its own would accept about twice as many
    assert codes.count(201) <= allowed + 2, (codes.count(201), allowed)
    assert codes.count(201) >= burst, codes
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.json() == {"detail": "collector at capacity"}
    assert int(busy.headers["Retry-After"]) >= 1
    engine.dispose()
