"""The FRITZ!Box client (fritzconnection) against recorded TR-064 data on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from homecare.diagnose.base import RuleContext
from homecare.diagnose.router_rules import ROUTER_RULES
from homecare.models import Observation, ProbeStatus
from homecare.probes.base import ProbeContext
from homecare.probes.router.probe import RouterProbe, merge
from homecare.probes.router.settings import RouterSettings
from homecare.probes.router.tr064 import MAX_REPLY_BYTES, FritzClient, count_resyncs
from homecare.profiles.provider import PlanTier, ProviderProfile, SpeedSettings

from .fritz_box import FLAKY_LOG, PASSWORD, USER, FritzBox, flaky_replies, seed_cache, serving


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    seed_cache(tmp_path / "api")
    return tmp_path / "api"


def client(
    box: FritzBox, cache: Path, password: str = PASSWORD, timeout: float = 2.0
) -> FritzClient:
    # the cache check against the firmware needs the box's port 80: see test_cli_router
    return FritzClient(
        "127.0.0.1",
        USER,
        password,
        port=box.port,
        timeout=timeout,
        cache_dir=cache,
        verify_cache=False,
    )


def test_reads_line_counters_hosts_and_wifi(cache: Path) -> None:
    with serving(FritzBox()) as box:
        reading = client(box, cache).read()
    assert reading.errors == []
    assert reading.model == "FRITZ!Box 7590" and reading.firmware == "154.07.29"
    assert reading.uptime_s == 1_209_600
    line = reading.line
    assert line is not None and line.type == "dsl" and line.status == "Up"
    assert (line.sync_down_kbit, line.sync_up_kbit) == (100000, 40000)
    assert (line.attainable_down_kbit, line.attainable_up_kbit) == (126000, 46000)
    assert (line.noise_margin_down_db, line.noise_margin_up_db) == (11.0, 9.0)
    assert (line.attenuation_down_db, line.attenuation_up_db) == (13.0, 8.0)
    assert (line.crc_errors, line.fec_errors, line.errored_seconds, line.retrains) == (
        40,
        3100,
        12,
        0,
    )
    assert line.log_resyncs == 0
    counters = reading.counters
    assert counters is not None and counters.bits == 64
    assert counters.bytes_received == 9_876_543_210  # beyond 32 bits: the 64-bit counter
    assert reading.wan_status == "Connected" and reading.external_ip == "100.128.9.20"
    by_name = {c.hostname: c for c in reading.clients}
    assert {"MacBook", "fritz.repeater", "raspberrypi", "someones-HUAWEI"} <= set(by_name)
    mac = by_name["MacBook"]
    assert mac.wifi and mac.radio == "wlan1" and mac.signal_dbm == -65.0 and mac.tx_mbit == 866
    assert not by_name["raspberrypi"].wifi and by_name["raspberrypi"].ip == "192.168.178.49"
    # fritzconnection read the recorded API from its cache, then asked the box
    assert "WANDSLInterfaceConfig1#GetInfo" in box.calls


def test_flaky_line_gives_every_line_finding(cache: Path) -> None:
    with serving(FritzBox(replies=flaky_replies())) as box:
        reading = client(box, cache).read()
    data = merge([reading])
    provider = ProviderProfile(
        speed=SpeedSettings(plan_down_mbit=100, plan_up_mbit=40),
        plan_tiers=[PlanTier(name="L 50", down_mbit=50, up_mbit=10),
                    PlanTier(name="XL 100", down_mbit=100, up_mbit=40)],
    )  # fmt: skip
    ctx = RuleContext(
        observations={
            "router": Observation(probe="router", area="router", status=ProbeStatus.OK, data=data)
        },
        provider=provider,
    )
    findings = {f.code: f for rule in ROUTER_RULES for f in rule.evaluate(ctx)}
    assert set(findings) == {
        "router.line.noise_margin_low",
        "router.line.errors",
        "router.line.resyncs",
        "router.line.sync_below_plan",
        "router.wifi.client_weak",
        "router.rebooted",
    }
    assert findings["router.line.noise_margin_low"].segment == "provider"
    assert findings["router.line.sync_below_plan"].evidence["fitting_tier"] == "L 50"
    assert findings["router.line.resyncs"].evidence["retrains"] == 5
    assert findings["router.line.resyncs"].evidence["log_resyncs"] == 3
    # the weak client is named as the box names it (the person's nickname wins, see engine)
    assert "MacBook" in findings["router.wifi.client_weak"].summary


def test_log_resyncs_counts_dsl_drops_and_disconnects() -> None:
    assert count_resyncs(FLAKY_LOG) == 3
    assert count_resyncs("01.12.26 09:12:00 WLAN-Gerät angemeldet.") == 0


def test_refused_password_is_told_apart_and_never_echoed(cache: Path) -> None:
    with serving(FritzBox(mode="refuse")) as box:
        reading = client(box, cache, password="not-the-password-42").read()
    assert reading.auth_refused
    assert len(reading.errors) == 1 and "refused" in reading.errors[0]
    assert "not-the-password-42" not in repr(reading)
    # digest auth: the password itself never crossed the wire either
    assert box.seen_authorization
    assert all("not-the-password-42" not in h for h in box.seen_authorization)


def test_a_box_that_vanishes_mid_read_costs_only_what_was_left(cache: Path) -> None:
    with serving(FritzBox(mode="vanish")) as box:
        reading = client(box, cache).read()
    assert reading.model == "FRITZ!Box 7590"  # the first calls worked
    assert reading.errors and all(e.startswith("tr064:") for e in reading.errors)


def _ctx(settings: RouterSettings, seconds: float) -> ProbeContext:
    return ProbeContext(
        deadline=time.monotonic() + seconds,
        quick=True,
        provider=ProviderProfile(),
        privileged=False,
        settings={"router": settings},
    )


@pytest.fixture
def hanging_box() -> Iterator[FritzBox]:
    with serving(FritzBox(mode="hang")) as box:
        yield box


def test_a_box_that_never_answers_is_given_up_within_its_limit(
    hanging_box: FritzBox, cache: Path
) -> None:
    settings = RouterSettings(
        mode="remote",
        kind="fritzbox",
        address="127.0.0.1",
        user=USER,
        password=lambda: PASSWORD,
        tr064_port=hanging_box.port,
        cache_dir=cache,
        verify_cache=False,
        source_timeout_s=0.5,
    )
    started = time.monotonic()
    from homecare.probes.base import ProbeSkipped

    with pytest.raises(ProbeSkipped) as raised:
        RouterProbe().run(_ctx(settings, 10))
    assert time.monotonic() - started < 5
    assert "TR-064" in str(raised.value)


def test_the_first_api_load_is_bounded_too(tmp_path: Path) -> None:
    """No cache yet: fritzconnection reads every service description from the box,
    and a box that streams one without end is cut off at the size cap."""
    import tracemalloc

    tracemalloc.start()
    try:
        with serving(FritzBox(mode="endless-scpd")) as box:
            started = time.monotonic()
            reading = client(box, tmp_path / "no-cache-yet", timeout=5.0).read()
            took = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reading.errors and "TR-064" in reading.errors[0]
    assert took < 5
    assert peak < 20 * MAX_REPLY_BYTES  # the reply was never held whole
