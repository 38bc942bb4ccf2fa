"""Samples in the history: two monitor processes writing at once lose nothing and
corrupt nothing; failed deliveries wait longer each time; the indexed outage
query finds the same outages as reading every sample."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

from homecare.monitor.outages import find_outages
from homecare.store.alerts import BACKOFF_FIRST_S, AlertStore
from homecare.store.samples import Sample, SampleStore

PER_WRITER = 300


# run as its own Python process, as a second monitor would be
WRITER = f"""
import sys
from pathlib import Path
from homecare.monitor.outages import find_outages
from homecare.store.alerts import AlertStore
from homecare.store.samples import Sample, SampleStore
path, name = sys.argv[1], sys.argv[2]
with SampleStore.open(Path(path)) as store:
    alerts = AlertStore(store)
    for i in range({PER_WRITER}):
        store.add(Sample(ts=1000.0 + i, kind="light", monitor=name, internet_ok=i % 50 != 0))
        if i % 50 == 0:
            alerts.open_alert("monitor.outage.internet", "provider", "down", {{}}, 1000.0 + i)
            alerts.close_alert("monitor.outage.internet", 1000.5 + i)
        if i % 100 == 0:
            store.roll_up(10_000_000.0, retention_s=10_000_000.0)
"""


def test_two_monitors_on_one_history(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with SampleStore.open(path):
        pass  # create and migrate once, as the first monitor would
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    with SampleStore.open(path) as store:
        assert store.count() == 2 * PER_WRITER
        assert {s.monitor for s in store.between(0, 1e9)} == {"a", "b"}
        open_alerts = [a for a in AlertStore(store).alerts(100) if a.closed_at is None]
        assert len(open_alerts) <= 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_failed_delivery_backs_off(tmp_path: Path) -> None:
    with SampleStore.open(tmp_path / "h.sqlite3") as store:
        alerts = AlertStore(store)
        alert_id = alerts.open_alert("monitor.loss.high", None, "lossy", {}, 0.0)
        assert alert_id is not None
        alerts.enqueue(alert_id, "opened", {"k": "json://…"}, 0.0)
        waits = []
        now = 0.0
        for _ in range(10):
            (item,) = alerts.pending(now)
            alerts.record(item, now, "HTTP 500")
            (after,) = alerts.deliveries()
            waits.append(after.next_try - now)
            assert alerts.pending(now) == []
            now = after.next_try
        assert waits[:3] == [BACKOFF_FIRST_S, 2 * BACKOFF_FIRST_S, 4 * BACKOFF_FIRST_S]
        assert max(waits) == 3600.0
        (item,) = alerts.pending(now)
        alerts.record(item, now, None)
        assert alerts.pending(now + 1e6) == [] and alerts.delivered(alert_id, "opened")


def test_outage_candidates_give_the_same_outages_as_every_sample(tmp_path: Path) -> None:
    rng = random.Random(11)
    rows, ok = [], True
    for i in range(5000):
        if rng.random() < 0.02:
            ok = not ok  # runs of failures of random length
        rows.append(
            Sample(
                ts=float(i * 60),
                kind="light" if i % 97 else "speed",
                internet_ok=ok if i % 97 else None,
                router_ok=rng.random() > 0.1,
                gap_before=rng.random() < 0.005,
                settling=rng.random() < 0.003,
            )
        )
    with SampleStore.open(tmp_path / "h.sqlite3") as store:
        store.add_many(rows)
        everything = find_outages(store.between(0, 1e9, kinds=("light",)))
        assert len(everything) > 20
        assert find_outages(store.outage_candidates(0, 1e9)) == everything
        assert find_outages(store.outage_candidates(60_000, 200_000)) == find_outages(
            store.between(60_000, 200_000, kinds=("light",))
        )


def test_migration_6_fills_the_upload_ratio_of_hours_rolled_up_before_it(tmp_path: Path) -> None:
    """Hours rolled up by an older homecare get their upload share of plan from
    the raw rows still kept; hours whose raw rows are gone have none."""
    from homecare.store.history import MIGRATIONS

    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:5]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 5")
    hour = 3600 * 500_000
    for ts, up in ((hour + 60.0, 5.0), (hour + 120.0, 15.0), (hour + 7200.0, 10.0)):
        conn.execute(
            "INSERT INTO samples (ts, kind, monitor, up_mbit, plan_up_mbit) "
            "VALUES (?, 'speed', 'local', ?, 20.0)",
            (ts, up),
        )
    # rolled up the old way (no upload ratio), then the later hour's raw rows expired
    conn.execute(
        "INSERT INTO sample_hours SELECT CAST(ts / 3600 AS INTEGER) * 3600, COUNT(*), 0, 0, 0, 0,"
        " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SUM(up_mbit), COUNT(up_mbit) FROM samples GROUP BY 1"
    )
    conn.execute("DELETE FROM samples WHERE ts >= ?", (hour + 3600,))
    conn.commit()
    conn.close()
    with SampleStore.open(path) as store:
        first, second = store.hours(hour, hour + 3 * 3600)
    assert (first.up_ratio_sum, first.up_ratio_n) == (1.0, 2)  # 5/20 + 15/20
    assert (second.up_sum, second.up_n, second.up_ratio_n) == (10.0, 1, 0)
