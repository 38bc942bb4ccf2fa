"""HTTP streams count what the server received, and leave nothing queued.

Against a loopback sink that reads at a fixed rate behind a small buffer,
while the client's send queue grows to megabytes: counting bytes written
over-reads there, and a test that only shuts its sockets down leaves the
queue draining onto the line after it returned (issue 12, item 3).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from homecare.probes.speed.engine import MeasureBudget
from homecare.probes.speed.streams import StreamPlan, run_streams

from .throttled_server import throttled_upload_server

RATE_MBIT = 80.0


def budget(seconds: float, streams: int) -> MeasureBudget:
    return MeasureBudget(
        deadline=time.monotonic() + seconds + 2.0,
        max_duration_s=seconds,
        warmup_s=0.5,
        max_bytes=10**12,
        streams=streams,
        stable_samples=100,  # never end early: the whole window is compared
        stable_tolerance=0.01,
    )


def queued_to(port: int) -> list[tuple[str, int]]:
    """(state, Send-Q) of every client socket towards *port* (``ss``, iproute2)."""
    out = subprocess.run(
        ["ss", "-tnH", "state", "all", "dport", "=", f":{port}"],
        capture_output=True, text=True, check=True, timeout=10,
    ).stdout  # fmt: skip
    rows = []
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 3:
            rows.append((cols[0], int(cols[2])))
    return rows


def plan_for(url: str) -> StreamPlan:
    return StreamPlan(download_url=lambda: url, upload_url=lambda: url + "empty.php")


@pytest.mark.parametrize("streams", [1, 4])
def test_upload_counts_acknowledged_bytes_not_the_send_queue(streams: int) -> None:
    with throttled_upload_server(RATE_MBIT) as (url, throttle):
        started = time.monotonic()
        result = run_streams("upload", plan_for(url), budget(3.0, streams), lambda _m: None)
        ended = time.monotonic()
    assert result.error is None
    assert result.counted == "acked"
    assert result.mbit is not None
    # what the server read after the engine's warm-up (its rate, even on a busy machine)
    truth = throttle.rate_mbit(started + 0.6, ended - 0.05)
    # the bytes handed to send() include a multi-megabyte queue: far above the rate
    assert result.bytes * 8 / 1e6 / result.duration_s > truth * 1.05
    assert 0.95 <= result.mbit / truth <= 1.05, (result, truth)
    assert result.low_mbit is not None and result.high_mbit is not None
    assert result.low_mbit <= result.mbit <= result.high_mbit * 1.05


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2)")
def test_nothing_is_left_queued_when_the_engine_returns() -> None:
    with throttled_upload_server(RATE_MBIT) as (url, _throttle):
        port = urlsplit(url).port
        assert port is not None
        result = run_streams("upload", plan_for(url), budget(1.5, 4), lambda _m: None)
        assert result.mbit is not None
        left = queued_to(port)
    # aborted (reset), not shut down: no socket still draining a queue
    assert all(q == 0 for _state, q in left), left
    assert not [s for s, _q in left if s in ("FIN-WAIT-1", "ESTAB", "CLOSING", "LAST-ACK")], left
