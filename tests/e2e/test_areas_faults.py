"""`homecare check AREA` for every area under every fault the virtual home can switch on.

The support desk hands callers one-area commands (`homecare check dns`), so
each must name the right segment for a fault it can see, and for one it
cannot see must not blame another segment: "healthy" is then only said
about what was measured, or the check says it could not tell. With the
router down, `check latency` once measured 100 % loss and said "healthy";
`check dns` blamed the provider; this matrix keeps every pair honest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab.provider_profile import lab_homecare_home, write_provider_file
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

AREAS = ("connectivity", "dns", "latency", "ipv6", "wifi", "devices", "speed")

#: fault -> (switch on, switch off, segment it is in, areas that can see it)
FAULTS: dict[str, tuple[str, str, str | None, frozenset[str]]] = {
    "none": ("", "", None, frozenset()),
    "router-down": ("router_down", "router_up", "router", frozenset(AREAS)),
    "wan-down": ("wan_down", "wan_up", "provider", frozenset(AREAS)),
    "dns-down": ("dns_down", "dns_up", "provider", frozenset({"dns"})),
    "captive-portal": (
        "captive_portal_on",
        "captive_portal_off",
        "router",
        frozenset({"connectivity"}),
    ),
    "lossy-wan": ("", "restore_wan", "provider", frozenset({"latency"})),
    "slow-wan": ("", "restore_wan", "provider", frozenset({"speed"})),
    "long-queue": ("", "restore_wan", "router", frozenset({"speed"})),
}

#: the WAN changes behind the faults that reshape the line (plan: 100/20 Mbit/s)
WAN_CHANGES: dict[str, dict[str, float]] = {
    # 15 %: a quick check's 125 probes then place the loss above 2 % with
    # 99 % confidence nearly always (at 10 %, 6 of 125 lost, 2.7 % of runs,
    # is rightly "could not tell" and failed this case once)
    "lossy-wan": {"loss_down_pct": 15.0},
    "slow-wan": {"down_mbit": 20.0, "up_mbit": 5.0},
    "long-queue": {"queue_ms": 400.0},
}


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    yield module_virtual_home(HomeSpec(name="areas", wan=WanSpec(queue_ms=5)))


@pytest.fixture(scope="module")
def provider_file(shared_tmp: Path) -> Path:
    short = {"ping_count": 4, "ping_timeout_s": 0.5, "dns_timeout_s": 1.0}
    speed = {"duration_s": 3.0, "quick_duration_s": 2.0}
    return write_provider_file(shared_tmp, WanSpec(), thresholds=short, speed=speed)


def switch(home: VirtualHome, name: str) -> None:
    if name == "":
        return
    getattr(home, name)()


def check(home: VirtualHome, provider: Path, tmp: Path, area: str) -> tuple[int, dict[str, Any]]:
    import json

    proc = home.run_in_laptop(
        [sys.executable, "-m", "homecare", "check", area, "--quick", "--json", "--no-save"],
        env={"HOMECARE_HOME": str(lab_homecare_home(tmp)), "HOMECARE_PROVIDER": str(provider)},
        timeout=90,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.startswith("{"), (proc.returncode, proc.stderr)
    report: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, report


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_area_under_fault(
    home: VirtualHome, provider_file: Path, tmp_path: Path, fault: str, area: str
) -> None:
    on, off, segment, seen_by = FAULTS[fault]
    if fault in WAN_CHANGES:
        home.degrade_wan(**WAN_CHANGES[fault])
    else:
        switch(home, on)
    try:
        rc, report = check(home, provider_file, tmp_path, area)
    finally:
        switch(home, off)
    verdict = report["verdict"]
    findings = [(f["code"], f["segment"], f["severity"]) for f in report["findings"]]
    # the areas asked for (and what they require); supporting probes are not listed
    assert area in report["areas"], report["areas"]
    assert area == "connectivity" or "connectivity" not in report["areas"]
    if area in seen_by:
        assert verdict["segment"] == segment, (verdict, findings)
        assert verdict["healthy"] is False and rc == 1
    elif fault == "none":
        # a healthy home: nothing to blame (a skipped probe, e.g. no Wi-Fi, is said so)
        assert verdict["segment"] is None, (verdict, findings)
        if area != "wifi":
            assert verdict["healthy"] is True and rc == 0, (verdict, findings)
    else:
        # a fault this area cannot see: never another segment's fault
        assert verdict["segment"] in (None, segment), (verdict, findings)
    if not verdict["healthy"] and verdict["segment"] is None:
        assert verdict["summary"].startswith("Could not tell"), verdict
    # whatever was not measured is named, with the reason
    for obs in report["observations"]:
        if obs["status"] != "ok":
            assert obs["message"], obs
