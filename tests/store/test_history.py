"""The SQLite history: saving, lookup, migrations and damaged databases."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from homecare.errors import StateError
from homecare.models import Report
from homecare.store.history import MIGRATIONS, History

from ..factories import sample_report


def report(check_id: str, minutes: int = 0) -> Report:
    r = sample_report()
    return r.model_copy(
        update={
            "id": check_id,
            "created_at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        }
    )


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_save_and_get(tmp_path: Path) -> None:
    db = tmp_path / "data" / "history.sqlite3"
    r = report("aaaa1111")
    with History.open(db) as history:
        history.save(r)
        assert history.get("aaaa1111") == r
        assert history.get("nosuch") is None
        assert history.latest() == r
    assert user_version(db) == len(MIGRATIONS)


def test_prefix_lookup(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        history.save(report("abc123", 0))
        history.save(report("abd456", 1))
        got = history.get("abc")
        assert got is not None and got.id == "abc123"
        with pytest.raises(StateError, match="More than one"):
            history.get("ab")


def test_exact_id_wins_over_prefix(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        history.save(report("abc", 0))
        history.save(report("abcdef", 1))
        got = history.get("abc")
        assert got is not None and got.id == "abc"


def test_summaries_newest_first(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        history.save(report("first", 0))
        history.save(report("third", 20))
        history.save(report("second", 10))
        rows = history.summaries()
        assert [s.id for s in rows] == ["third", "second", "first"]
        assert [s.id for s in history.summaries(limit=2)] == ["third", "second"]
        top = rows[0]
        assert top.healthy is False
        assert top.worst_severity == "critical"
        assert top.finding_codes == ["dns.failing", "lan.latency.high", "device.busy"]
        assert top.areas == ["connectivity", "dns", "host"]
        assert [r.id for r in history.recent_reports(2)] == ["third", "second"]


def test_steps_done_and_feedback(tmp_path: Path) -> None:
    when = datetime(2024, 5, 1, tzinfo=UTC)
    with History.open(tmp_path / "h.db") as history:
        history.save(report("c1"))
        history.mark_step_done("c1", "dns.failing", 1, when)
        history.mark_step_done("c1", "dns.failing", 2, when)
        history.mark_step_done("c1", "dns.slow", 1, when)
        assert history.steps_done("dns.failing") == {1, 2}
        assert history.steps_done("lan.loss") == set()
        assert history.feedback("c1") is None
        history.record_feedback("c1", 4, when)
        assert history.feedback("c1") == 4


def test_persists_across_opens(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with History.open(db) as history:
        history.save(report("keep"))
    with History.open(db) as history:
        got = history.get("keep")
        assert got is not None and got.id == "keep"


def test_migration_from_version_1(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    old = report("oldcheck")
    with sqlite3.connect(db) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                old.id,
                old.created_at.isoformat(),
                json.dumps(old.areas),
                0,
                "critical",
                json.dumps(["dns.failing"]),
                old.model_dump_json(),
            ),
        )
    conn.close()
    with History.open(db) as history:
        got = history.get("oldcheck")
        assert got is not None and got.id == "oldcheck"
        history.mark_step_done("oldcheck", "dns.failing", 1, datetime.now(UTC))  # v2 table
        history.set_device_name("AA:BB:CC:DD:EE:FF", "TV", datetime.now(UTC))  # v3 table
        assert history.device_names() == {"aa:bb:cc:dd:ee:ff": "TV"}
        assert history.steps_done("dns.failing") == {1}
    assert user_version(db) == len(MIGRATIONS)


def test_migration_from_empty_version_0(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    sqlite3.connect(db).close()
    assert user_version(db) == 0
    with History.open(db) as history:
        assert history.summaries() == []
    assert user_version(db) == len(MIGRATIONS)


def test_garbage_file_is_moved_aside(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    garbage = b"this is not a database at all, just some bytes " * 50
    db.write_bytes(garbage)
    with pytest.raises(StateError, match="damaged") as info, History.open(db):
        pass
    assert not db.exists()
    (aside,) = tmp_path.glob("h.db.corrupt-*")
    assert aside.read_bytes() == garbage
    assert str(aside) in str(info.value)
    # the next run starts a fresh history
    with History.open(db) as history:
        assert history.summaries() == []


def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StateError, match="newer homecare"), History.open(db):
        pass
    assert db.read_bytes() == before
    assert user_version(db) == len(MIGRATIONS) + 5
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_unreadable_stored_report_is_a_state_error(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with History.open(db) as history:
        history.save(report("bad"))
    with sqlite3.connect(db) as conn:
        conn.execute('UPDATE checks SET report_json = \'{"id": "bad"}\'')
        conn.execute("INSERT INTO checks VALUES ('worse', '2024', '[]', 0, NULL, '[]', 'not json')")
    conn.close()
    with History.open(db) as history:
        with pytest.raises(StateError, match="bad"):
            history.get("bad")
        with pytest.raises(StateError, match="worse"):
            history.get("worse")
        assert history.recent_reports() == []  # skipped, not fatal
