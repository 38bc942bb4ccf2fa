"""The OpenWrt ubus client against recorded replies on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from homecare.probes.router.ubus import UbusClient

from .openwrt_box import PASSWORD, OpenWrt, serving


def _client(box: OpenWrt, password: str = PASSWORD, timeout: float = 2.0) -> UbusClient:
    return UbusClient(f"http://127.0.0.1:{box.port}/ubus", "root", password, timeout)


def test_reads_board_wan_leases_hints_and_wifi() -> None:
    with serving(OpenWrt()) as box:
        reading = _client(box).read()
    assert reading.errors == []
    assert reading.vendor == "OpenWrt" and reading.model == "TP-Link Archer C7 v5"
    assert reading.firmware == "23.05.3" and reading.uptime_s == 432000
    assert reading.wan_status == "Connected" and reading.wan_uptime_s == 86200
    assert reading.external_ip == "100.128.44.7"
    counters = reading.counters
    assert counters is not None and counters.bits == 64
    assert (counters.bytes_received, counters.bytes_sent) == (61234567890, 5123456789)
    by_mac = {c.mac: c for c in reading.clients}
    tablet = by_mac["3c:2e:ff:10:22:33"]
    assert tablet.hostname == "kitchen-tablet" and tablet.ip == "192.168.1.141"
    assert tablet.wifi and tablet.radio == "phy0-ap0" and tablet.signal_dbm == -81
    assert tablet.tx_mbit == 19.5 and tablet.down_bytes == 31999888
    assert by_mac["b8:27:eb:01:02:03"].hostname == "pi-hole"  # from the host hints only
    assert not by_mac["a0:d3:c1:44:55:66"].wifi
    assert "session.login" in box.calls and "network.device.status" in box.calls
    radios = {r.name: r for r in reading.radios}
    assert radios["phy0-ap0"].channel == 6 and radios["phy0-ap0"].busy_pct == 68.0
    assert radios["phy1-ap0"].frequency_mhz == 5180 and radios["phy1-ap0"].busy_pct == 10.0
    assert radios["phy1-ap0"].noise_dbm == -92


def test_denied_login_is_auth_refused() -> None:
    with serving(OpenWrt(mode="denied")) as box:
        reading = _client(box).read()
    assert reading.auth_refused and len(reading.errors) == 1
    assert box.calls == ["session.login"]


def test_wrong_password_is_auth_refused_and_not_echoed() -> None:
    with serving(OpenWrt()) as box:
        reading = _client(box, password="guess-123").read()
    assert reading.auth_refused
    assert "guess-123" not in repr(reading)


@pytest.mark.parametrize("mode", ["huge", "garbage"])
def test_hostile_replies_are_one_error_each(mode: str) -> None:
    with serving(OpenWrt(mode=mode)) as box:
        reading = _client(box).read()
    assert not reading.auth_refused
    assert len(reading.errors) == 1 and reading.errors[0].startswith("ubus:")
    assert reading.model is None and reading.clients == []


def test_a_router_that_hangs_is_given_up_within_the_timeout() -> None:
    with serving(OpenWrt(mode="hang")) as box:
        started = time.monotonic()
        reading = _client(box, timeout=0.5).read()
    assert time.monotonic() - started < 3
    assert reading.errors and "ubus" in reading.errors[0]
