"""Back-to-back checks (issue 12, item 3): a speed test leaves nothing queued,
so the next check's idle latency is the line's, not the last upload's.

A slow upload behind a long queue is where it shows: 16 upload streams hold
megabytes in their send queues, which at 10 Mbit/s take seconds to drain
after a plain close (the kernel keeps sending an orphaned socket's queue).
The engines abort (SO_LINGER 0), so right after the speed check no socket
towards the server holds data and the latency check that follows measures
the idle line, with no loss finding.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from connection_quality import codes, data_of, run_inside  # type: ignore[import-not-found,unused-ignore]
from homecare_lab import HomeSpec, VirtualHome, addresses
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]
LOSS_CODES = {"lan.loss.sustained", "internet.loss.sustained"}


@pytest.fixture
def provider(lab_provider: Callable[..., Path]) -> Path:
    return lab_provider(engines=["librespeed"], duration_s=4.0, streams=16)


def internet_median(report: dict[str, Any]) -> float:
    lat = data_of(report, "latency")
    series = [s for s in lat["series"] if s["role"] == "internet"]
    return float(statistics.median(s["stats"]["median_ms"] for s in series))


def queued_towards(home: VirtualHome, address: str) -> list[str]:
    proc = home.run_in_laptop(["ss", "-tnH", "state", "all", "dst", address], timeout=10)
    return [line for line in proc.stdout.splitlines() if line.split()[2:3] != ["0"]]


def test_next_check_after_a_speed_test_sees_an_idle_line(
    virtual_home: HomeFactory, provider: Path
) -> None:
    home = virtual_home(HomeSpec(name="b2b", wan=WanSpec(down_mbit=100, up_mbit=10, queue_ms=200)))
    idle = internet_median(run_inside(home, provider, "--areas", "latency"))
    speed = run_inside(home, provider, "--areas", "speed", timeout=120)
    up = data_of(speed, "speed")["upload"]
    assert up and up["mbit"] and up["counted"] == "acked"
    assert queued_towards(home, addresses.LIBRESPEED) == []
    after = run_inside(home, provider, "--areas", "latency")
    assert internet_median(after) <= idle + 10.0, (idle, internet_median(after))
    assert not LOSS_CODES & codes(after)

    # control: uploads that end with a plain close (what the engines did
    # before) leave their queues draining after the process is gone
    home.run_in_laptop([sys.executable, "-c", PLAIN_CLOSE_UPLOAD, addresses.LIBRESPEED], timeout=30)
    assert queued_towards(home, addresses.LIBRESPEED), "a plain close left nothing queued?"


PLAIN_CLOSE_UPLOAD = """
import socket, sys, time
socks = []
for _ in range(8):
    s = socket.create_connection((sys.argv[1], 80), timeout=5)
    s.sendall(b"POST /empty.php HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100000000\\r\\n\\r\\n")
    s.setblocking(False)
    socks.append(s)
end = time.monotonic() + 2
while time.monotonic() < end:
    for s in socks:
        try:
            s.send(bytes(65536))
        except BlockingIOError:
            pass
    time.sleep(0.001)
for s in socks:
    s.close()
"""
