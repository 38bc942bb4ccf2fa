"""Stale-run cleanup must never take a run that is just starting in another process.

Under pytest-xdist several workers build virtual homes at once, and every
start cleans up dead runs first. A run saves its record, then adds its
namespaces; a cleaner that read the records just before that save and listed
the namespaces just after saw "a namespace with no live record" and deleted a
healthy home. The namespace listing is the seam: here it plays the other
worker saving its record between the two reads. Nothing is created or deleted
on the host (the deletions are recorded, not run).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from homecare_lab import netns, state
from homecare_lab.state import RunRecord


@pytest.fixture
def deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(state, "STATE_DIR", tmp_path / "records")
    state.STATE_DIR.mkdir()
    gone: list[str] = []
    monkeypatch.setattr(state, "kill_namespace_processes", lambda namespaces: None)
    monkeypatch.setattr(state, "delete_namespaces", gone.extend)
    monkeypatch.setattr(state, "remove_etc_netns", lambda entries: None)
    return gone


def test_a_run_recorded_after_the_scan_keeps_its_namespaces(
    deleted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    starting = RunRecord.new("abc12", "/nonexistent/hcabc12-x")  # owner: this live process

    def listing_while_another_worker_starts() -> list[str]:
        starting.save()  # its record lands after the cleaner read the records
        return ["hcabc12-router", "hcabc12-isp"]

    monkeypatch.setattr(netns, "list_namespaces", listing_while_another_worker_starts)
    assert state.clean_stale_runs() == []
    assert deleted == []


def test_namespaces_of_a_dead_or_unrecorded_run_still_go(
    deleted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = RunRecord(
        run_id="dead1", owner_pid=os.getpid(), owner_start=-1, tmpdir="/nonexistent/hcdead1-x"
    )
    listing = ["hcdead1-router", "hczzz99-laptop", "hcd12345me", "other"]

    def listing_with_a_late_dead_record() -> list[str]:
        dead.save()  # a record whose owner is gone protects nothing
        return listing

    monkeypatch.setattr(netns, "list_namespaces", listing_with_a_late_dead_record)
    assert state.clean_stale_runs() == ["dead1", "zzz99"]
    assert deleted == ["hcdead1-router", "hczzz99-laptop"]
