"""The spool: durable, capped, backs off, honours Retry-After, drops invalid payloads."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import Any

from homecare.share.spool import Outcome, SendResult, Spool, SpoolLimits, classify


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def item(n: int = 0, size: int = 10) -> dict[str, Any]:
    return {"upload_id": str(uuid.UUID(int=n + 1)), "blob": "x" * size}


def spool(tmp_path: Path, clock: Clock, **limits: Any) -> Spool:
    return Spool(tmp_path / "spool", SpoolLimits(**limits), clock=clock, rng=random.Random(1))


def test_classify() -> None:
    assert classify(201) is Outcome.DELIVERED and classify(200) is Outcome.DELIVERED
    assert classify(422) is Outcome.REJECTED and classify(413) is Outcome.REJECTED
    for status in (401, 408, 429, 500, 503):
        assert classify(status) is Outcome.RETRY


def test_spooled_file_is_complete_json_before_sending(tmp_path: Path) -> None:
    clock = Clock()
    s = spool(tmp_path, clock)
    seen: list[list[str]] = []

    def send(payload: dict[str, Any]) -> SendResult:
        files = [p.name for p in s.dir.glob("*.json") if p.name != "stats.json"]
        seen.append(files)
        json.loads((s.dir / files[0]).read_text())
        return SendResult(Outcome.DELIVERED)

    s.add(item())
    report = s.flush(send)
    assert seen and report.delivered == [item()["upload_id"]]
    assert s.pending() == [] and s.stats()["delivered"] == 1
    assert not list(s.dir.glob(".*.json.*"))  # no temp files left


def test_retry_backs_off_with_jitter_and_honours_retry_after(tmp_path: Path) -> None:
    clock = Clock()
    s = spool(tmp_path, clock, backoff_base_s=10.0)
    s.add(item(1))
    s.add(item(2))
    calls: list[str] = []

    def fail(payload: dict[str, Any]) -> SendResult:
        calls.append(payload["upload_id"])
        return SendResult(Outcome.RETRY, detail="HTTP 503")

    r = s.flush(fail)
    assert len(calls) == 1 and r.deferred == 2  # stops at the first failure
    env = s.pending()[0]
    assert 5.0 <= env["next_attempt_at"] - clock.now <= 10.0  # equal jitter on 10 s
    assert s.flush(fail).deferred == 2 and len(calls) == 1  # blocked until then
    clock.now += 11
    s.flush(fail)
    delay2 = s.pending()[0]["next_attempt_at"] - clock.now
    assert 10.0 <= delay2 <= 20.0
    clock.now += 21
    s.flush(lambda p: SendResult(Outcome.RETRY, retry_after=3600))
    assert s.pending()[0]["next_attempt_at"] - clock.now >= 3600
    clock.now += 3601
    assert len(s.flush(lambda p: SendResult(Outcome.DELIVERED)).delivered) == 2


def test_rejected_payloads_are_dropped_and_counted(tmp_path: Path) -> None:
    s = spool(tmp_path, Clock())
    s.add(item(1))
    s.add(item(2))
    r = s.flush(lambda p: SendResult(Outcome.REJECTED, detail="HTTP 422"))
    assert len(r.rejected) == 2 and s.pending() == [] and s.stats()["rejected"] == 2


def test_caps_drop_oldest_first(tmp_path: Path) -> None:
    clock = Clock()
    s = spool(tmp_path, clock, max_items=3)
    import os

    for n in range(5):
        s.add(item(n))
        path = s.dir / f"{item(n)['upload_id']}.json"
        os.utime(path, (clock.now + n, clock.now + n))
    left = {e["payload"]["upload_id"] for e in s.pending()}
    assert left == {item(n)["upload_id"] for n in (2, 3, 4)}
    assert s.stats()["dropped_full"] == 2


def test_size_and_age_caps(tmp_path: Path) -> None:
    import os

    clock = Clock()
    s = spool(tmp_path, clock, max_bytes=2500, max_age_s=100)
    for n in range(3):
        s.add(item(n, size=1000))
    assert len(s.pending()) == 2 and s.stats()["dropped_full"] == 1
    for p in s.dir.glob("*-*.json"):
        os.utime(p, (clock.now - 200, clock.now - 200))
    s.add(item(9))
    assert [e["payload"]["upload_id"] for e in s.pending()] == [item(9)["upload_id"]]
    assert s.stats()["dropped_old"] == 2


def test_readding_same_id_keeps_one_file(tmp_path: Path) -> None:
    s = spool(tmp_path, Clock())
    s.add(item(1))
    s.add(item(1))
    assert len(s.pending()) == 1


def test_purge(tmp_path: Path) -> None:
    s = spool(tmp_path, Clock())
    for n in range(3):
        s.add(item(n))
    assert s.purge() == 3 and s.pending() == []
