"""The roll-up tables and counters: the unfiltered document read from them is
the one the raw tables give (a seeded random data set on SQLite and
PostgreSQL, with homes that change cohort and network between uploads), a
deleted installation leaves them, what ingest and deletion keep equals a
rebuild from scratch, and the backfills (0006's and 0008's) rebuild them."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, func, select, text

from homecare.collector import rollup_counts, rollups
from homecare.collector.db import make_engine
from homecare.collector.erasure import erase_installation
from homecare.collector.extract import key_of
from homecare.collector.migrate import MIGRATIONS_DIR, upgrade
from homecare.collector.queries import Filters, cohort_insights, runner

from .databases import fresh_postgres, store_one
from .payloads import installation, payload

CODES = ("wifi.signal.weak", "dns.slow", "lan.latency.high", "internet.loss", "dns.hijack")


def random_uploads(seed: int, homes: int = 160) -> list[tuple[dict[str, Any], str]]:
    """(payload, sender network) pairs: 1-4 uploads per home over 8 weeks,
    a home sometimes moving band, tier or network between uploads."""
    rnd = random.Random(seed)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    out = []
    for n in range(homes):
        band, tier = rnd.choice(("5GHz", "2.4GHz", "6GHz", None)), rnd.choice(("a", "b", "c"))
        vendor, net = rnd.choice(("AVM", "TP-Link", "Netgear")), f"10.{rnd.randrange(40)}.0.0/24"
        for _ in range(rnd.randint(1, 4)):
            if rnd.random() < 0.2:
                band, net = rnd.choice(("5GHz", "2.4GHz")), f"10.{rnd.randrange(40)}.0.0/24"
            if rnd.random() < 0.1:
                tier = rnd.choice(("a", "b", "c"))
            p = payload(
                n,
                band=band,
                tier=tier,
                vendor=vendor,
                connection=rnd.choice(("wifi", "wired")),
                codes=tuple(rnd.sample(CODES, rnd.randint(0, 3))),
                down=rnd.choice((None, round(rnd.uniform(5, 120), 3))),
                feedback=rnd.choice((None, 1, 2, 3, 4, 5)),
                offer=rnd.choice((None, "mesh.upsell", "plan.upgrade")),
                taken=rnd.random() < 0.5,
            )
            when = start + timedelta(minutes=rnd.randrange(8 * 7 * 24 * 60))
            p["created_at"] = when.isoformat().replace("+00:00", "Z")
            out.append((p, net))
    return out


def store(engine: Engine, items: list[tuple[dict[str, Any], str]], provider: str = "acme") -> None:
    for p, net in items:
        store_one(engine, p, provider, source_net=net)


#: every table ingest keeps besides the raw rows
KEPT: list[Table] = [
    *(t for t, _s, _r in rollups.ROLLUPS),
    *(t for c in rollups.COUNTERS for t in (c.totals, c.refs)),
    rollup_counts.totals,
    rollup_counts.refs,
]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every kept row, sorted (floats rounded: a mean may differ in its last bit)."""
    out = {}
    with engine.connect() as conn:
        for table in KEPT:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(
                (tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows),
                key=repr,
            )
    return out


def both(engine: Engine) -> tuple[str, str]:
    rolled = cohort_insights(engine, "acme", Filters(), 10, rollups=True)
    raw = cohort_insights(engine, "acme", Filters(), 10, rollups=False)
    return json.dumps(rolled, sort_keys=True), json.dumps(raw, sort_keys=True)


@pytest.fixture
def engine(db_url: str) -> Engine:
    e = make_engine(db_url)
    upgrade(e)
    return e


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_give_the_raw_document(engine: Engine, seed: int) -> None:
    store(engine, random_uploads(seed))
    store(engine, random_uploads(seed + 100, homes=30), provider="othernet")
    rolled, raw = both(engine)
    assert rolled == raw
    doc = json.loads(rolled)
    assert doc["installations"] == 160
    shown = [c for c in doc["findings_by_cohort"]["wifi_band"]["cohorts"] if c["installations"]]
    assert shown and doc["speeds_by"]["router_vendor"] and doc["hour_of_day"]
    assert doc["offers"] and doc["feedback_by_finding"] and doc["findings_by_week"]["weeks"]
    # the default for one provider's unfiltered document is the roll-up path
    assert json.dumps(cohort_insights(engine, "acme", Filters(), 10), sort_keys=True) == rolled
    engine.dispose()


def test_deleted_installation_leaves_the_rollups(engine: Engine) -> None:
    store(engine, random_uploads(3))
    gone = [installation(n) for n in range(0, 160, 3)]
    for inst in gone:
        assert erase_installation(engine, "acme", inst).uploads > 0
    keys = [key_of("acme", inst) for inst in gone]
    with engine.connect() as conn:
        for table, _source, _rows in rollups.ROLLUPS:
            left = select(func.count()).where(table.c.inst_key.in_(keys))
            assert conn.execute(left.select_from(table)).scalar_one() == 0, table.name
    rolled, raw = both(engine)
    assert rolled == raw and json.loads(rolled)["installations"] == 160 - len(gone)
    for n in range(160):  # everyone leaves: nothing stays behind, not even a counter at 0
        erase_installation(engine, "acme", installation(n))
    with engine.connect() as conn:
        for table in KEPT:
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0, table
    engine.dispose()


@pytest.mark.parametrize("seed", [5, 6])
def test_what_ingest_and_deletion_keep_equals_a_rebuild(engine: Engine, seed: int) -> None:
    """Counters moved one upload and one deletion at a time hold exactly what
    a rebuild from the raw rows computes: no count off by one, no row left
    at zero, whichever order homes arrive, change cohort and leave in."""
    items = random_uploads(seed, homes=80)
    random.Random(seed).shuffle(items)
    store(engine, items[: len(items) // 2])
    for n in range(0, 80, 4):
        erase_installation(engine, "acme", installation(n))
    store(engine, items[len(items) // 2 :])  # some of the deleted homes come back
    for n in range(1, 80, 7):
        erase_installation(engine, "acme", installation(n))
    kept = snapshot(engine)
    assert kept["rollup_counts"] and kept["rollup_count_refs"]
    with engine.begin() as conn:
        rollups.backfill(conn)
    assert snapshot(engine) == kept
    rolled, raw = both(engine)
    assert rolled == raw
    engine.dispose()


def test_concurrent_ingest_keeps_the_counters_exact(pg_url: str) -> None:
    """Four writers refreshing roll-ups inline at once (homes sharing
    cohorts, weeks and networks, some homes split across writers): no
    deadlock (counter rows are taken in one order), and the counters equal
    a rebuild."""
    engine = fresh_postgres(pg_url)
    items = random_uploads(12)
    random.Random(12).shuffle(items)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: store(engine, items[n::4]), range(4)))
    kept = snapshot(engine)
    with engine.begin() as conn:
        rollups.backfill(conn)
    assert snapshot(engine) == kept
    rolled, raw = both(engine)
    assert rolled == raw and json.loads(rolled)["installations"] == 160
    engine.dispose()


def test_migration_0008_backfills_the_counters(db_url: str) -> None:
    """A database that already held uploads (and 0006's roll-ups) at 0007 gets
    its counters from 0008: the same rows ingest would have kept."""
    engine = make_engine(db_url)
    upgrade(engine)
    store(engine, random_uploads(7))
    kept = snapshot(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        assert not engine.dialect.has_table(conn, rollup_counts.totals.name)
    upgrade(engine)
    assert snapshot(engine) == kept
    rolled, raw = both(engine)
    assert rolled == raw and json.loads(rolled)["installations"] == 160
    engine.dispose()


def test_backfill_rebuilds_rows_loaded_around_ingest(engine: Engine) -> None:
    """A bulk load that bypassed ingest: stale until :func:`rollups.backfill`."""
    store(engine, random_uploads(4))
    with engine.begin() as conn:
        for table in KEPT:
            conn.execute(text(f"DELETE FROM {table.name}"))
    assert cohort_insights(engine, "acme", Filters(), 10, rollups=True)["installations"] is None
    with engine.begin() as conn:
        rollups.backfill(conn)
    rolled, raw = both(engine)
    assert rolled == raw
    engine.dispose()


@pytest.mark.parametrize("seed", [7, 8])
def test_a_batch_refresh_moves_the_counters_as_one_home_at_a_time_does(
    engine: Engine, seed: int
) -> None:
    """Homes refreshed together (the PostgreSQL folder's batches, which share
    weeks, cohorts and networks) sum their steps per counter row: the result
    equals a rebuild, also when a batch holds homes that left."""
    items = random_uploads(seed, homes=90)
    store(engine, items)
    with engine.begin() as conn:
        rollups.backfill(conn)
    expected = snapshot(engine)
    with engine.begin() as conn:  # everyone's roll-ups gone, the raw rows kept
        for table in KEPT:
            conn.execute(text(f"DELETE FROM {table.name}"))
    homes = sorted({installation(n) for n in range(90)})
    random.Random(seed).shuffle(homes)
    with engine.begin() as conn:
        for start in range(0, len(homes), 25):
            rollups.refresh_installations(conn, "acme", homes[start : start + 25])
    assert snapshot(engine) == expected
    gone = homes[:30]
    for inst in gone:
        erase_installation(engine, "acme", inst)
    with engine.begin() as conn:  # a batch of the departed and of those still here
        rollups.refresh_installations(conn, "acme", [*gone, *homes[30:60]])
        rollups.backfill(conn)
    kept = snapshot(engine)
    for inst in homes[30:]:
        erase_installation(engine, "acme", inst)
    store(engine, [item for item in items if item[0]["installation_id"] in set(homes[30:])])
    assert snapshot(engine) == kept
    rolled, raw = both(engine)
    assert rolled == raw
    engine.dispose()


def _reordered(found: Any, rnd: random.Random) -> Any:
    """*found* with every list of rows shuffled (an unordered result's order is not fixed)."""
    if isinstance(found, dict):
        return {name: _reordered(v, rnd) for name, v in found.items()}
    if isinstance(found, tuple):
        return tuple(_reordered(v, rnd) for v in found)
    if isinstance(found, list):
        return rnd.sample(found, len(found))
    return found


def test_the_document_does_not_depend_on_the_order_rows_come_back_in(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both paths return the same counts in different orders (and PostgreSQL
    returns an unordered result in no fixed order): equal complements in the
    suppression were once chosen by arrival order, and the roll-up document's
    findings table differed from the raw one now and then."""
    homes = {installation(n) for n in range(30, 90)}
    store(engine, [i for i in random_uploads(8, homes=90) if i[0]["installation_id"] in homes])
    run = runner.run_sections
    docs: set[str] = set()
    for seed in range(8):
        rnd = random.Random(seed)
        monkeypatch.setattr(
            "homecare.collector.queries.cohorts.run_sections",
            lambda *a, rnd=rnd: _reordered(run(*a), rnd),
        )
        docs.update(both(engine))
    assert len(docs) == 1
    engine.dispose()


def test_rollups_refuse_a_filtered_document(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unfiltered"):
        cohort_insights(engine, "acme", Filters(wifi_band="5GHz"), 10, rollups=True)
    engine.dispose()
