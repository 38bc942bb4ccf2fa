"""Connection quality end to end on the virtual home: a healthy home and one
fault at a time (slow, lossy or long-queued WAN, DNS down, router down,
captive portal), each checked for measured values within tolerances and for
the verdict's segment.

The check runs in a real process in the laptop namespace through
``bench/connection_quality.py --inside``, which calls the engine's
``run_check`` (the flow of ``homecare check --json``) and adds the process's
wall time, CPU time and peak RSS to the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from connection_quality import codes, data_of, run_inside  # type: ignore[import-not-found,unused-ignore]
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

DOWN, UP = 100.0, 50.0
QUALITY_CODES = {
    "lan.loss.sustained", "internet.loss.sustained", "internet.jitter.high",
    "dns.nxdomain_rewrite", "dns.resolver.slow", "ipv6.broken", "mtu.blackhole",
    "captive.portal", "speed.below_plan", "speed.slow_wifi_limited",
    "latency.bufferbloat", "speed.engine.failed",
}  # fmt: skip


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    yield module_virtual_home(
        HomeSpec(name="quality", wan=WanSpec(down_mbit=DOWN, up_mbit=UP, queue_ms=20))
    )


@pytest.fixture(scope="module")
def provider(lab_provider: Callable[..., Path]) -> Path:
    return lab_provider(duration_s=5.0, quick_duration_s=3.0, plan_down_mbit=DOWN, plan_up_mbit=UP)


@pytest.fixture
def clean(home: VirtualHome) -> Iterator[VirtualHome]:
    """Each test leaves the home healthy for the next."""
    try:
        yield home
    finally:
        home.restore_wan()
        home.dns_up()
        home.router_up()
        home.captive_portal_off()


def check(home: VirtualHome, provider: Path, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = run_inside(home, provider, *args, timeout=90)
    return report


def series(report: dict[str, Any], role: str) -> dict[str, Any]:
    lat = data_of(report, "latency")
    found: dict[str, Any] = next(s for s in lat["series"] if s["role"] == role)
    return found


def test_healthy_home(clean: VirtualHome, provider: Path) -> None:
    r = check(clean, provider)
    assert r["wall_s"] <= 30
    assert not (codes(r) & QUALITY_CODES), r["findings"]
    assert r["verdict"]["healthy"] is True, r["verdict"]
    for role in ("gateway", "internet"):
        s = series(r, role)
        assert s["method"] == "icmp-raw"
        # the series fills its window (7 s at 20 ms) so loss has a useful interval
        assert s["stats"]["sent"] == 350 and s["stats"]["loss"] <= 0.02
        assert s["stats"]["loss_high"] < 0.03
        assert s["stats"]["median_ms"] < 5
    sp = data_of(r, "speed")
    assert sp["engine"] == "librespeed"
    assert 0.90 * DOWN <= sp["download"]["mbit"] <= 1.01 * DOWN
    assert 0.90 * UP <= sp["upload"]["mbit"] <= 1.01 * UP
    assert sp["bufferbloat_grade"] in ("A", "B") and sp["rpm"] > 500
    assert sp["bytes_used"] > 0
    assert data_of(r, "captive")["captive"] is False
    mtu = data_of(r, "mtu")
    assert mtu["path_mtu"] == 1500 and mtu["blackhole"] is False
    resolvers = data_of(r, "dns_quality")["resolvers"]
    assert resolvers and all(x["answered"] == x["queries"] > 0 for x in resolvers)
    assert not any(x["nxdomain_rewrite"] for x in resolvers)
    assert any("of the 100 Mbit/s plan" in line for line in r["verdict"]["evidence"])


def test_quick_check_is_quick(clean: VirtualHome, provider: Path) -> None:
    r = check(clean, provider, "--quick")
    assert r["wall_s"] <= 15
    assert series(r, "internet")["stats"]["sent"] == 125  # 2.5 s at 20 ms
    assert data_of(r, "speed")["download"]["mbit"] > 0.9 * DOWN


def test_slow_wan_is_below_plan_at_the_provider(clean: VirtualHome, provider: Path) -> None:
    clean.degrade_wan(down_mbit=20.0, up_mbit=10.0)
    r = check(clean, provider, "--areas", "speed")
    sp = data_of(r, "speed")
    assert 0.9 * 20 <= sp["download"]["mbit"] <= 1.01 * 20
    assert 0.9 * 10 <= sp["upload"]["mbit"] <= 1.01 * 10
    assert "speed.below_plan" in codes(r)
    assert r["verdict"]["segment"] == "provider"


def test_lossy_wan_is_measured_and_blamed_beyond_the_router(
    clean: VirtualHome, provider: Path
) -> None:
    # 10 % of 350 probes: the 99 % interval's low end is above 2 % in all but a
    # vanishing share of runs, so the rule must fire. Interval coverage at 1 %
    # and 3 % (20 runs each) and accuracy with 2000-probe runs are in the bench.
    clean.degrade_wan(loss_down_pct=10.0)
    r = check(clean, provider, "--areas", "latency")
    inet = series(r, "internet")["stats"]
    assert 0.03 <= inet["loss"] <= 0.2, inet
    assert inet["loss_low"] <= 0.10 <= inet["loss_high"], inet
    assert series(r, "gateway")["stats"]["loss"] <= 0.02
    assert "internet.loss.sustained" in codes(r)
    assert r["verdict"]["segment"] == "provider"


def test_long_queue_is_bufferbloat_at_the_router(clean: VirtualHome, provider: Path) -> None:
    clean.degrade_wan(queue_ms=200.0)
    r = check(clean, provider, "--areas", "speed")
    sp = data_of(r, "speed")
    # with no base delay in the lab, TCP's windows fill only part of the
    # 200 ms queue; it is still far above the 5-20 ms of a healthy home
    assert sp["bufferbloat_ms"] >= 30, sp["latency"]
    assert sp["bufferbloat_grade"] != "A"
    assert sp["rpm"] < 2000
    assert "latency.bufferbloat" in codes(r)
    assert r["verdict"]["segment"] == "router"


def test_dns_down_names_the_provider(clean: VirtualHome, provider: Path) -> None:
    clean.dns_down()
    r = check(clean, provider, "--areas", "dns")
    resolvers = {x["resolver"]: x for x in data_of(r, "dns_quality")["resolvers"]}
    assert all(x["answered"] == 0 for x in resolvers.values())
    assert "dns.failing" in codes(r)
    assert r["verdict"]["segment"] == "provider"


def test_router_down(clean: VirtualHome, provider: Path) -> None:
    clean.router_down()
    r = check(clean, provider, "--areas", "latency,connectivity")
    assert series(r, "gateway")["stats"]["received"] == 0
    assert r["verdict"]["segment"] == "router", r["findings"]
    assert r["wall_s"] <= 30


def test_captive_portal(clean: VirtualHome, provider: Path) -> None:
    clean.captive_portal_on()
    r = check(clean, provider, "--areas", "connectivity,speed")
    cap = data_of(r, "captive")
    assert cap["captive"] is True and cap["status"] in (301, 302, 303, 307, 308, 200)
    assert "captive.portal" in codes(r)
    assert r["verdict"]["segment"] == "router"
    # the portal also swallows the speed test's HTTP: a clear failure, not a hang
    sp = data_of(r, "speed")
    assert sp["download"] is None and sp["attempts"]
    assert all(a["error"] for a in sp["attempts"])
