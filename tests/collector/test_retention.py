"""Retention (:func:`homecare.collector.retention.expire_before`): old uploads
and their child rows go, the roll-ups and counters follow exactly (equal to
a rebuild, and the roll-up document equals the raw one), on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from homecare.collector import rollup_queue, rollups
from homecare.collector.alerts_db import alert_events, insert_alert_event
from homecare.collector.db import make_engine, upload_devices, upload_findings, uploads
from homecare.collector.migrate import upgrade
from homecare.collector.retention import expire_before
from homecare.collector.sessions_db import insert_session, tech_sessions

from .test_rollups import both, random_uploads, snapshot, store

CUTOFF = datetime(2026, 3, 30, tzinfo=UTC)  # four of the eight weeks


@pytest.fixture
def engine(db_url: str) -> Engine:
    e = make_engine(db_url)
    upgrade(e)
    return e


def test_expiry_keeps_the_rollups_exact(engine: Engine) -> None:
    store(engine, random_uploads(8))
    store(engine, random_uploads(9, homes=20), provider="othernet")
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(uploads)).scalar_one()
        old = select(func.count()).where(
            uploads.c.created_at < CUTOFF, uploads.c.provider == "acme"
        )
        expiring = conn.execute(old.select_from(uploads)).scalar_one()
        homes = conn.execute(
            select(func.count(uploads.c.installation_id.distinct())).where(
                uploads.c.provider == "acme", uploads.c.created_at >= CUTOFF
            )
        ).scalar_one()
    assert 0 < expiring < before
    assert expire_before(engine, CUTOFF, provider="acme", batch=7).uploads == expiring
    with engine.connect() as conn:
        for table in (uploads, upload_findings, upload_devices):
            left = select(func.count()).where(
                table.c.provider == "acme", table.c.created_at < CUTOFF
            )
            assert conn.execute(left.select_from(table)).scalar_one() == 0, table.name
        others = select(func.count()).where(uploads.c.provider == "othernet")
        assert conn.execute(others.select_from(uploads)).scalar_one() > 0  # not this provider's
        if rollup_queue.deferred(conn):  # PostgreSQL: marked, then folded before returning
            pending = select(func.count()).select_from(rollup_queue.rollup_pending)
            assert conn.execute(pending).scalar_one() == 0
    kept = snapshot(engine)
    with engine.begin() as conn:
        rollups.backfill(conn)
    assert snapshot(engine) == kept
    rolled, raw = both(engine)
    assert rolled == raw and json.loads(rolled)["installations"] == homes
    assert expire_before(engine, CUTOFF, provider="acme").uploads == 0  # nothing left to expire
    engine.dispose()


def test_expiry_erases_old_sessions_and_alert_events_too(engine: Engine) -> None:
    """Personal data of every kind ages out with the uploads: technicians'
    sessions by the time their check ran, alert events by their time."""
    for provider in ("acme", "othernet"):
        for n, when in enumerate((datetime(2026, 3, 1, tzinfo=UTC), CUTOFF)):
            upload = {"upload_id": f"{n:08x}-0000-4000-8000-000000000000",
                      "installation_id": "a1" * 16, "created_at": when.isoformat()}  # fmt: skip
            assert insert_session(
                engine, provider=provider, upload=upload, support_code=f"HC{n:010d}",
                technician="Sam", document_json=json.dumps({"upload": upload}),
            )  # fmt: skip
            assert insert_alert_event(
                engine, provider=provider, installation_id="a1" * 16, alert_key=f"k{n}",
                event="opened", code="monitor.outage.internet", segment="provider", at=when,
            )  # fmt: skip
    erased = expire_before(engine, CUTOFF, provider="acme")
    assert (erased.uploads, erased.sessions, erased.alert_events) == (0, 1, 1)
    with engine.connect() as conn:
        left = {
            table.name: sorted(conn.execute(select(table.c.provider)).scalars())
            for table in (tech_sessions, alert_events)
        }
    assert left == {
        "tech_sessions": ["acme", "othernet", "othernet"],
        "alert_events": ["acme", "othernet", "othernet"],
    }
    engine.dispose()
