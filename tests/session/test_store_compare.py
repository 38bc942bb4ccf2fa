"""The store keeps every finished step; compare pairs steps by key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from homecare.errors import UsageError
from homecare.models.session import SessionState, StepStatus
from homecare.session.compare import compare
from homecare.session.store import SessionStore

from .sessions import session


def test_steps_are_committed_one_by_one_and_reload(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    full = session()
    header = full.model_copy(update={"steps": [], "state": SessionState.IN_PROGRESS})
    with SessionStore.open(db) as store:
        store.create(header, "plan text", {"scripted": True})
        store.add_step(full.id, 0, full.steps[0])
        # another connection (another process after a crash) sees the step at once
        with sqlite3.connect(db) as other:
            assert other.execute("SELECT key FROM steps").fetchall() == [("dns",)]
        store.add_step(full.id, 1, full.steps[1])
    with SessionStore.open(db) as store:
        stored = store.load(full.id[:6])
    assert [s.key for s in stored.session.steps] == ["dns", "room@kitchen"]
    assert stored.session.steps[1] == full.steps[1]
    assert stored.plan_text == "plan text" and stored.options == {"scripted": True}
    assert stored.session.state is SessionState.IN_PROGRESS


def test_before_of_links_the_same_jobs_finished_session(tmp_path: Path) -> None:
    with SessionStore.open(tmp_path / "s.sqlite3") as store:
        first = session(session_id="1" * 32)
        store.create(first, "", {})
        second = session(session_id="2" * 32, job="OTHER")
        store.create(second, "", {})
        assert store.before_of("JOB-1", "3" * 32) == first.id
        assert store.before_of("JOB-1", first.id) is None
        with pytest.raises(UsageError):
            store.load("nope")


def test_compare_shows_each_change() -> None:
    before = session(dns_ok=False, signal=-72)
    after = session(session_id="b" * 32)
    comparison = compare(before, after)
    by_key = {c.key: c for c in comparison.steps}
    assert (by_key["dns"].before, by_key["dns"].after) == (StepStatus.FAIL, StepStatus.PASS)
    assert by_key["room@kitchen"].changed  # warn -> pass
    signal = next(m for m in by_key["room@kitchen"].metrics if m.metric == "wifi.signal_dbm")
    assert (signal.before, signal.after) == (-72.0, -55.0)
    only_before = compare(session(rooms=("kitchen", "attic")), after)
    attic = next(c for c in only_before.steps if c.key == "room@attic")
    assert attic.after is None and attic.before is StepStatus.PASS
