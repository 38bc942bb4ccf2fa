"""A paced echo series stopped on a lossy line with a real round trip.

It must end once no reply can still be in flight, not wait out the last
probe's full timeout, and read the loss of the whole series, its tail too. The old series waited 1 s after every stop on a
lossy line (a speed test direction then ran past its own deadline).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import pytest
from homecare_lab import HomeSpec, VirtualHome, addresses
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]


def _runs(home: VirtualHome) -> list[dict[str, float]]:
    script = """
import json, sys, threading, time
from homecare.probes.latency.echo import paced_icmp
runs = []
for _ in range(5):
    stop = threading.Event()
    threading.Timer(3.0, stop.set).start()
    started = time.monotonic()
    s = paced_icmp(sys.argv[1], interval_s=0.05, timeout_s=1.0,
                   deadline=started + 30, stop=stop)
    runs.append({"took_s": time.monotonic() - started, "sent": s.sent,
                 "received": len(s.rtts_ms)})
print(json.dumps(runs))
"""
    proc = home.run_in_laptop([sys.executable, "-c", script, addresses.INTERNET], timeout=60)
    assert proc.returncode == 0, proc.stderr
    runs: list[dict[str, float]] = json.loads(proc.stdout)
    return runs


def test_a_stopped_series_on_a_lossy_line_ends_with_its_replies_in_flight(
    virtual_home: HomeFactory,
) -> None:
    home = virtual_home(HomeSpec(name="echo", wan=WanSpec(rtt_ms=30, queue_ms=5)))
    home.degrade_wan(loss_down_pct=20.0)
    runs = _runs(home)
    for run in runs:
        # stopped at 3.0 s; replies in flight take ~2 x 30 ms, never the 1 s timeout
        assert 3.0 <= run["took_s"] < 3.3, runs
        assert 55 <= run["sent"] <= 61, runs  # 60 probes in 3 s at 50 ms
    sent = sum(r["sent"] for r in runs)
    lost = sent - sum(r["received"] for r in runs)
    # 20 % configured; about 300 probes: the loss read stays near it
    assert 0.12 <= lost / sent <= 0.28, runs
