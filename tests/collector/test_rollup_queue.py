"""Roll-ups folded apart from the upload's transaction (PostgreSQL): marks
queue up at ingest and erasure, a fold makes the roll-up document equal the
raw one again, one folder at a time, and through the API each upload and
erasure is folded before its answer (a client reads its own write)."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import Engine, func, select, text

from homecare.collector import rollup_queue
from homecare.collector.erasure import erase_installation
from homecare.collector.queries import Filters, cohort_insights
from homecare.collector.rollup_queue import fold, fold_all, rollup_pending

from .conftest import start_collector
from .databases import fresh_postgres, store_one
from .payloads import installation
from .test_rollups import random_uploads


@pytest.fixture
def engine(pg_url: str) -> Engine:
    return fresh_postgres(pg_url)


def pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(rollup_pending)).scalar_one())


def documents(engine: Engine) -> tuple[str, str]:
    rolled = cohort_insights(engine, "acme", Filters(), 10, rollups=True)
    raw = cohort_insights(engine, "acme", Filters(), 10, rollups=False)
    return json.dumps(rolled, sort_keys=True), json.dumps(raw, sort_keys=True)


def test_deferred_ingest_and_erasure_fold_to_the_raw_document(engine: Engine) -> None:
    items = random_uploads(5)
    for p, net in items:
        assert store_one(engine, p, source_net=net, defer_rollups=True)
    assert pending(engine) == 160  # one mark per installation, however many uploads it sent
    rolled, raw = documents(engine)
    assert rolled != raw  # nothing folded yet: the roll-ups are behind
    assert fold(engine, batch=50) == 50 and pending(engine) == 110
    fold_all(engine)
    assert pending(engine) == 0
    rolled, raw = documents(engine)
    assert rolled == raw and json.loads(raw)["installations"] == 160
    gone = [installation(n) for n in range(0, 160, 4)]
    for inst in gone:
        assert erase_installation(engine, "acme", inst, defer_rollups=True).uploads > 0
    assert pending(engine) == len(gone)
    fold_all(engine)
    rolled, raw = documents(engine)
    assert rolled == raw and json.loads(raw)["installations"] == 160 - len(gone)
    engine.dispose()


def test_one_folder_at_a_time(engine: Engine) -> None:
    with engine.begin() as conn:
        for n in range(5):
            rollup_queue.mark(conn, "acme", installation(n))
    held = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": rollup_queue._FOLD_LOCK})
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold_the_lock)
    t.start()
    held.wait(10)
    assert fold(engine) is None  # another folder is at it: this one does not wait
    release.set()
    t.join()
    assert fold(engine) == 5 and fold(engine) == 0
    engine.dispose()


def test_through_the_api_a_client_reads_its_own_write(pg_url: str, engine: Engine) -> None:
    """Uploads from 8 threads at once (their folds group), then an erasure:
    after each answer the roll-ups already hold it."""
    c = start_collector(pg_url, rate_per_s=0, source_rate_per_s=0, trusted_proxies=("127.0.0.1",))
    items = random_uploads(6, homes=80)
    try:

        def send(i: int) -> None:
            with c.client(c.ingest) as client:
                for p, net in items[i::8]:  # sent from its network (10.N.0.0/24)
                    sender = {"X-Forwarded-For": net.replace("0/24", "7")}
                    assert client.post("/v1/uploads", json=p, headers=sender).status_code == 201

        threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert pending(engine) == 0  # folded before the answers, no background work left
        rolled, raw = documents(engine)
        assert rolled == raw and json.loads(raw)["installations"] == 80
        with c.client(c.ingest) as client:
            assert client.delete(f"/v1/installations/{installation(3)}").json()["deleted"] > 0
        rolled, raw = documents(engine)
        assert rolled == raw and json.loads(raw)["installations"] == 79
        with c.client(c.analyst) as client:
            assert json.dumps(client.get("/v1/insights").json(), sort_keys=True) == raw
    finally:
        c.server.stop()
        c.engine.dispose()
    engine.dispose()
