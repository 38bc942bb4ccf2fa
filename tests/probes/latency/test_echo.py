"""Paced echo series on loopback: how a series ends when it is stopped or counted out."""

from __future__ import annotations

import os
import threading
import time

import pytest

from homecare.probes.latency.echo import paced_icmp

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="raw ICMP sockets need root")


def test_a_stopped_series_ends_at_once_when_every_reply_is_in() -> None:
    stop = threading.Event()
    stopped_at: list[float] = []

    def later() -> None:
        time.sleep(0.5)
        stopped_at.append(time.monotonic())
        stop.set()

    threading.Thread(target=later, daemon=True).start()
    series = paced_icmp(
        "127.0.0.1", interval_s=0.05, timeout_s=1.0, deadline=time.monotonic() + 10, stop=stop
    )
    ended = time.monotonic()
    assert series is not None
    assert ended - stopped_at[0] < 0.15
    assert 7 <= series.sent <= 13
    assert len(series.rtts_ms) == series.sent  # loopback loses nothing


def test_a_counted_series_gets_every_reply() -> None:
    series = paced_icmp(
        "127.0.0.1", interval_s=0.02, timeout_s=1.0, deadline=time.monotonic() + 10, count=5
    )
    assert series is not None
    assert series.sent == 5 and series.seqs == [1, 2, 3, 4, 5]
