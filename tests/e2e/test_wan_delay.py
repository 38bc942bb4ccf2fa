"""The virtual home's WAN base round trip: a user-space delay line (no netem
in this kernel) that adds a real RTT without costing the line its rate."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from connection_quality import codes, data_of, run_inside  # type: ignore[import-not-found,unused-ignore]
from homecare_lab import HomeSpec, VirtualHome, addresses, netns
from homecare_lab.names import DELAY_ROUTER_SIDE, PROVIDER_WAN
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]


def ping_ms(home: object, count: int = 10) -> list[float]:
    proc = home.run_in_laptop(  # type: ignore[attr-defined]
        ["busybox", "ping", "-c", str(count), "-i", "0.2", addresses.INTERNET], timeout=30
    )
    return [float(x) for x in re.findall(r"time=([\d.]+) ms", proc.stdout)]


def iperf_mbit(home: object, reverse: bool) -> float:
    argv = ["iperf3", "-c", addresses.IPERF, "-t", "3", "-O", "1", "-P", "4", "-J"]
    if reverse:
        argv.append("-R")
    for _attempt in range(5):
        proc = home.run_in_laptop(argv, timeout=30)  # type: ignore[attr-defined]
        if proc.returncode == 0:
            return float(json.loads(proc.stdout)["end"]["sum_received"]["bits_per_second"]) / 1e6
        time.sleep(0.5)
    raise AssertionError(proc.stdout[-500:] + proc.stderr[-500:])


def test_wan_has_the_configured_round_trip_and_keeps_its_rate(
    virtual_home: HomeFactory,
) -> None:
    home = virtual_home(HomeSpec(name="dly", wan=WanSpec(down_mbit=200, up_mbit=200, rtt_ms=30)))
    rtts = sorted(ping_ms(home))
    assert len(rtts) >= 8
    assert 29.5 <= rtts[len(rtts) // 2] <= 36.0, rtts
    server = home.spawn("provider", ["iperf3", "-s", "-B", addresses.IPERF])
    try:
        time.sleep(0.5)
        down, up = iperf_mbit(home, reverse=True), iperf_mbit(home, reverse=False)
        assert down > 0.9 * 200 and up > 0.9 * 200, (down, up)
        home.degrade_wan(rtt_ms=10)
        rtts = sorted(ping_ms(home))
        assert 9.5 <= rtts[len(rtts) // 2] <= 15.0, rtts
    finally:
        home.stop(server)


def test_a_home_without_rtt_has_no_delay_line(virtual_home: HomeFactory) -> None:
    home = virtual_home(HomeSpec(name="nodly", wan=WanSpec(down_mbit=200, up_mbit=200)))
    assert not home.delayed
    assert sorted(ping_ms(home, 5))[2] < 5.0
    with pytest.raises(ValueError, match="no delay line"):
        home.degrade_wan(rtt_ms=20)


def test_the_delay_line_never_waits_for_the_cpu(virtual_home: HomeFactory) -> None:
    """Every thread of the home's delay line runs at real-time priority: on a
    loaded machine a normal one was descheduled for milliseconds, jitter and a
    queue no real line has, and every speed figure through it read the load."""
    home = virtual_home(HomeSpec(name="dlyrt", wan=WanSpec(down_mbit=50, up_mbit=50, rtt_ms=20)))
    lines = [
        p
        for p in psutil.process_iter(["cmdline"])
        if home.run_id in (p.info["cmdline"] or []) and "delay_line" in " ".join(p.info["cmdline"])
    ]
    assert len(lines) == 1, lines
    tasks = [int(t.name) for t in Path(f"/proc/{lines[0].pid}/task").iterdir()]
    assert len(tasks) >= 3  # the main thread and one per direction
    assert {os.sched_getscheduler(t) for t in tasks} == {os.SCHED_FIFO}
    assert 19.5 <= sorted(ping_ms(home, 5))[2] < 30.0  # and it still forwards, with its delay


def qdiscs(namespace: str, device: str) -> str:
    return netns.ns_run(namespace, ["tc", "qdisc", "show", "dev", device])


def test_a_long_download_queue_fills_on_the_delay_hop_and_rates_still_match(
    virtual_home: HomeFactory, lab_provider: Callable[..., Path]
) -> None:
    """With a base round trip the download's shaper sits on the delay line's
    egress towards the router, not on the sending server's own host (where
    TCP Small Queues kept the queue at about a millisecond): a 400 ms queue
    at 30 ms now shows in the download's working latency, by the loaded
    pings (bufferbloat) and by nq, and the rate still matches iperf3."""
    wan = WanSpec(down_mbit=50, up_mbit=20, queue_ms=400, rtt_ms=30)
    home = virtual_home(HomeSpec(name="dlyq", wan=wan))
    assert "tbf" in qdiscs(home.names.delay, DELAY_ROUTER_SIDE)
    assert "tbf" not in qdiscs(home.provider_ns, PROVIDER_WAN)
    server = home.spawn("provider", ["iperf3", "-s", "-B", addresses.IPERF])
    try:
        time.sleep(0.5)
        down, up = iperf_mbit(home, reverse=True), iperf_mbit(home, reverse=False)
    finally:
        home.stop(server)
    assert 0.9 * wan.down_mbit <= down <= 1.03 * wan.down_mbit, down
    assert 0.9 * wan.up_mbit <= up <= 1.03 * wan.up_mbit, up
    nq = lab_provider(engines=["nq"], nq_config_url=addresses.NQ_CONFIG_URL, duration_s=8.0)
    report = run_inside(home, nq, "--areas", "speed", timeout=150)
    speed = data_of(report, "speed")
    download = speed["download"]
    r = download["responsiveness"]
    print(
        download["mbit"], r, [(x["phase"], x["role"], x["increase_ms"]) for x in speed["latency"]]
    )
    # (nq's rate is the moving average of a test that adds connections into a
    # 400 ms queue: the rate check is iperf3's, above)
    assert download["mbit"] is not None, download
    # every probe waits behind most of the 400 ms queue (before: about 60000 / 40)
    assert r["confidence"] != "low" and r["rpm"] < 60000 / 250, r
    assert r["self_ms"] > 250, r
    loaded = [x for x in speed["latency"] if x["phase"] == "download" and x["role"] == "internet"]
    assert loaded and loaded[0]["increase_ms"] > 250, loaded
    assert "latency.bufferbloat" in codes(report), report["findings"]
