"""Insights computed in the database on SQLite and PostgreSQL: the same
document on both, k-suppression with complements, filters, the 0002
backfill and the indexes PostgreSQL uses (the Parquet export: test_export.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from homecare.collector.db import make_engine
from homecare.collector.migrate import MIGRATIONS_DIR, upgrade
from homecare.collector.queries import Filters, cohort_insights
from homecare.share.payload import UploadPayload
from homecare.share.support_code import from_upload_id

from .databases import fresh_postgres, store
from .test_insights import seeded


@pytest.fixture
def engine(db_url: str) -> Engine:
    e = make_engine(db_url)
    upgrade(e)
    return e


def test_cohort_below_k_and_its_complement_are_hidden(engine: Engine) -> None:
    store(engine, seeded())
    store(engine, seeded()[:4], provider="othernet")  # another provider's rows never count
    doc = cohort_insights(engine, "acme", Filters(), k=10)
    assert doc["installations"] == 35 and doc["uploads"] == 70
    bands = {c["value"]: c for c in doc["findings_by_cohort"]["wifi_band"]["cohorts"]}
    assert bands["6GHz"]["installations"] is None  # 3 < k
    assert bands["2.4GHz"]["installations"] is None  # complement: 35 - 20 would give 6GHz away
    assert bands["5GHz"]["installations"] == 20
    assert all(v is None for v in bands["6GHz"]["findings"].values())
    weak = doc["findings_by_cohort"]["wifi_band"]["totals"]["wifi.signal.weak"]
    column = [bands[b]["findings"]["wifi.signal.weak"] for b in bands]
    assert weak is None or column.count(None) != 1
    assert bands["5GHz"]["findings"] == {"wifi.signal.weak": 20, "dns.slow": 10}
    tiers = {s["plan_tier"]: s for s in doc["speeds_vs_plan"]}
    assert set(tiers) == {"fiber-300", "fiber-100"}
    assert tiers["fiber-100"]["median_down_pct_of_plan"] is not None
    # the speed tables hide the same complement: 35 - 20 - 12 would give the
    # 3 homes of fiber-1000 / 6GHz away (their medians stay: not counts)
    assert tiers["fiber-100"]["installations"] is None
    assert tiers["fiber-300"]["installations"] == 20
    by_band = {g["value"]: g for g in doc["speeds_by"]["wifi_band"]}
    assert by_band["2.4GHz"]["installations"] is None and by_band["5GHz"]["installations"] == 20
    assert by_band["2.4GHz"]["median_down_mbps"] is not None
    assert doc["device_mix"]["by_kind"] == {"phone": 35, "router": 35}
    assert doc["feedback_by_finding"]["wifi.signal.weak"]["installations"] == 35
    assert doc["offers"]["mesh.upsell"] == {"shown": 35, "taken": 18}
    assert doc["hour_of_day"] == [{"hour": 12, "installations": 35}]
    weeks = doc["findings_by_week"]["weeks"]
    assert weeks[0]["week"] == "2026-04-27" and weeks[0]["findings"]["wifi.signal.weak"] == 35


def test_filters_narrow_the_cohort(engine: Engine) -> None:
    store(engine, seeded())
    doc = cohort_insights(engine, "acme", Filters(wifi_band="5GHz"), k=10)
    assert doc["installations"] == 20 and doc["filters"] == {"wifi_band": "5GHz"}
    small = cohort_insights(engine, "acme", Filters(wifi_band="6GHz"), k=10)
    assert small["installations"] is None and small["speeds_vs_plan"] == []
    later = cohort_insights(engine, "acme", Filters.from_params({"since": "2026-06-01"}), k=10)
    assert later["installations"] is None and later["hour_of_day"] == []


def test_same_document_on_both_databases(tmp_path: Path, pg_url: str) -> None:
    docs = []
    for url in (f"sqlite+pysqlite:///{tmp_path / 'a.sqlite3'}", pg_url):
        if url == pg_url:
            e = fresh_postgres(url)
        else:
            e = make_engine(url)
            upgrade(e)
        store(e, seeded())
        docs.append(cohort_insights(e, "acme", Filters(), 10))
        e.dispose()
    assert json.dumps(docs[0], sort_keys=True) == json.dumps(docs[1], sort_keys=True)


def test_backfill_from_0001(db_url: str) -> None:
    """Rows stored before 0002 get their columns and child rows."""
    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        for p in seeded():
            model = UploadPayload.model_validate(p)
            conn.execute(
                text(
                    "INSERT INTO uploads (id, provider, installation_id, support_code, created_at,"
                    " received_at, payload) VALUES (:i, 'acme', :inst, :c, :t, :t, :p)"
                ),
                {
                    "i": model.upload_id,
                    "inst": model.installation_id,
                    "c": from_upload_id(model.upload_id),
                    "t": model.created_at,
                    "p": model.model_dump_json(),
                },
            )
    upgrade(engine)
    doc = cohort_insights(engine, "acme", Filters(), 10)
    assert doc["installations"] == 35
    bands = {c["value"]: c for c in doc["findings_by_cohort"]["wifi_band"]["cohorts"]}
    assert bands["5GHz"]["findings"]["dns.slow"] == 10
    engine.dispose()


def test_postgres_queries_use_indexes_and_prune_partitions(pg_url: str) -> None:
    e = fresh_postgres(pg_url)
    with e.begin() as conn:  # 40,000 rows over 2026-01..2026-04, generated in SQL
        conn.execute(
            text("""
            INSERT INTO uploads (provider, id, installation_id, support_code, created_at,
              received_at, payload, plan_tier, router_vendor, wifi_band, connection_type,
              week, hour, source_net, inst_key, net_key)
            SELECT 'acme', 'u' || g, 'i' || (g % 8000), 'HC', ts, ts, '{}',
                   'tier-' || (g % 20), 'vendor-' || (g % 30), '5GHz', 'wifi',
                   date_trunc('week', ts)::date, extract(hour from ts), 'n' || (g % 5000),
                   g % 8000, g % 5000
            FROM (SELECT g, timestamptz '2026-01-01' + (g % 110) * interval '1 day' AS ts
                  FROM generate_series(1, 40000) g) s""")
        )
        conn.execute(text("ANALYZE uploads"))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT count(DISTINCT installation_id) FROM uploads WHERE provider = 'acme'"
                    " AND plan_tier = 'tier-3' AND router_vendor = 'vendor-3'"
                )
            )
        )
        assert "plan_tier_router_vendor" in plan, plan
        filled = [f"uploads_p2026_0{m}" for m in (1, 2, 3, 4)]  # empty partitions cost nothing
        assert not any(f"Seq Scan on {name}" in plan for name in filled), plan
        pruned = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT count(*) FROM uploads WHERE provider = 'acme'"
                    " AND created_at >= '2026-02-01' AND created_at < '2026-03-01'"
                )
            )
        )
        assert "uploads_p2026_02" in pruned and "uploads_p2026_03" not in pruned, pruned
    e.dispose()


def test_parallel_sections_share_one_snapshot(pg_url: str) -> None:
    """The sections on four connections give the document of one transaction."""
    e = fresh_postgres(pg_url)
    store(e, seeded())
    one = cohort_insights(e, "acme", Filters(), 10, parallel=1)
    four = cohort_insights(e, "acme", Filters(), 10, parallel=4)
    assert json.dumps(one, sort_keys=True) == json.dumps(four, sort_keys=True)
    e.dispose()
