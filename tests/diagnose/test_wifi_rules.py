"""Each Wi-Fi rule fires when it should, and stays quiet otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from wifi_fixtures import fixture_text

from homecare.diagnose.base import Rule, RuleContext
from homecare.diagnose.wifi_rules import WIFI_RULES, wifi_is_weak_link
from homecare.models import Finding, Observation
from homecare.models.common import ProbeStatus, Segment, Severity
from homecare.models.wifi import Band, WifiData, WifiLink, WifiNetwork, WifiStation
from homecare.probes.wifi.channels import channel_advice
from homecare.probes.wifi.parsers.iw_scan import parse_iw_scan
from homecare.profiles.provider import ProviderProfile, Thresholds


def good_link(**changes: Any) -> WifiLink:
    base: dict[str, Any] = {
        "interface": "wlan0",
        "connected": True,
        "ssid": "HomeNet",
        "bssid": "3c:84:6a:11:22:33",
        "band": "5GHz",
        "channel": 36,
        "channel_width_mhz": 80,
        "signal_dbm": -52,
        "tx_rate_mbps": 866.7,
        "rx_rate_mbps": 780.0,
        "standard": "wifi5",
        "security": "wpa2",
        "cipher": "ccmp",
        "tx_retries": 10,
        "tx_packets": 5000,
    }
    base.update(changes)
    return WifiLink.model_validate(base)


def data_with(
    link: WifiLink | None, networks: list[WifiNetwork] | None = None, **kw: Any
) -> WifiData:
    nets = networks or []
    return WifiData(
        source="test", link=link, networks=nets, channels=channel_advice(nets, link), **kw
    )


def evaluate(data: WifiData, provider: ProviderProfile | None = None) -> list[Finding]:
    obs = Observation(probe="wifi", area="wifi", status=ProbeStatus.OK, data=data)
    ctx = RuleContext(observations={"wifi": obs}, provider=provider or ProviderProfile())
    return [f for rule in WIFI_RULES for f in rule.evaluate(ctx)]


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def test_rules_satisfy_protocol_and_a_healthy_link_is_quiet() -> None:
    assert all(isinstance(r, Rule) for r in WIFI_RULES)
    emitted = {c for r in WIFI_RULES for c in r.codes}
    assert len(emitted) == 9 and all(c.startswith("wifi.") for c in emitted)
    assert evaluate(data_with(good_link())) == []
    assert not wifi_is_weak_link(data_with(good_link()), Thresholds())


def test_no_wifi_data_no_findings() -> None:
    ctx = RuleContext(observations={}, provider=ProviderProfile())
    assert [f for r in WIFI_RULES for f in r.evaluate(ctx)] == []
    assert evaluate(data_with(WifiLink(connected=False, signal_dbm=-90))) == []


@pytest.mark.parametrize(
    ("signal", "expected"),
    [
        (-50, []),
        (-60, []),
        (-61, ["wifi.signal.fair"]),
        (-70, ["wifi.signal.fair"]),
        (-71, ["wifi.signal.weak"]),
    ],
)
def test_signal_thresholds(signal: int, expected: list[str]) -> None:
    findings = evaluate(data_with(good_link(signal_dbm=signal)))
    assert codes(findings) == expected
    for f in findings:
        assert f.segment is Segment.WIFI
        assert f.evidence["signal_dbm"] == signal
        assert "HomeNet" not in repr(f.evidence)


def test_signal_thresholds_come_from_the_provider() -> None:
    strict = ProviderProfile(
        thresholds=Thresholds(wifi_signal_fair_dbm=-55, wifi_signal_good_dbm=-45)
    )
    [f] = evaluate(data_with(good_link(signal_dbm=-58)), strict)
    assert f.code == "wifi.signal.weak" and f.severity is Severity.PROBLEM
    assert f.evidence["threshold_dbm"] == -55


def _neighbours(band: Band, channel: int, n: int, width: int = 20) -> list[WifiNetwork]:
    return [
        WifiNetwork(
            ssid=f"n{i}",
            bssid=f"02:00:00:00:{channel:02x}:{i:02x}",
            band=band,
            channel=channel,
            channel_width_mhz=width,
            signal_dbm=-75,
        )
        for i in range(n)
    ]


def test_congested_channel_fires_when_a_quieter_one_exists() -> None:
    link = good_link(
        band="2.4GHz", channel=6, channel_width_mhz=20, standard="wifi4", tx_rate_mbps=72.2
    )
    nets = _neighbours("2.4GHz", 6, 5) + _neighbours("2.4GHz", 11, 1)
    [f] = evaluate(data_with(link, nets))
    assert f.code == "wifi.channel.congested"
    assert f.evidence["overlapping"] == 5
    assert f.evidence["recommended"] == 1
    assert f.evidence["recommended_overlapping"] == 0


def test_congested_channel_quiet_when_everywhere_is_full() -> None:
    link = good_link(
        band="2.4GHz", channel=6, channel_width_mhz=20, standard="wifi4", tx_rate_mbps=72.2
    )
    nets = _neighbours("2.4GHz", 1, 5) + _neighbours("2.4GHz", 6, 5) + _neighbours("2.4GHz", 11, 5)
    assert evaluate(data_with(link, nets)) == []


def test_overlap_on_non_standard_24_channel() -> None:
    link = good_link(
        band="2.4GHz", channel=3, channel_width_mhz=20, standard="wifi4", tx_rate_mbps=72.2
    )
    [f] = evaluate(data_with(link, _neighbours("2.4GHz", 1, 1)))
    assert f.code == "wifi.channel.overlap"
    assert f.evidence["channel"] == 3
    # On channel 3 with nobody around there is nothing to overlap with.
    assert evaluate(data_with(link)) == []


def test_prefer_5ghz_when_same_ssid_is_usable_there() -> None:
    link = good_link(
        band="2.4GHz", channel=6, channel_width_mhz=20, standard="wifi4", tx_rate_mbps=72.2
    )
    five = WifiNetwork(
        ssid="HomeNet", bssid="3c:84:6a:11:22:34", band="5GHz", channel=36, signal_dbm=-62
    )
    [f] = evaluate(data_with(link, [five]))
    assert f.code == "wifi.band.prefer_5ghz"
    assert f.evidence == {
        "signal_dbm": -52,
        "alt_band": "5GHz",
        "alt_channel": 36,
        "alt_signal_dbm": -62,
    }


def test_prefer_5ghz_quiet_for_other_ssid_or_unusable_5ghz() -> None:
    link = good_link(
        band="2.4GHz", channel=6, channel_width_mhz=20, standard="wifi4", tx_rate_mbps=72.2
    )
    other = WifiNetwork(ssid="Neighbour", band="5GHz", channel=36, signal_dbm=-50)
    faint = WifiNetwork(ssid="HomeNet", band="5GHz", channel=36, signal_dbm=-85)
    assert evaluate(data_with(link, [other, faint])) == []


def test_low_rate_for_standard_and_width() -> None:
    [f] = evaluate(data_with(good_link(tx_rate_mbps=58.5, rx_rate_mbps=65.0)))
    assert f.code == "wifi.rate.low"
    assert f.evidence["expected_mbps"] == 433.3
    assert f.evidence["rate_mbps"] == 65.0
    # 65 Mbit/s is fine on 20 MHz Wi-Fi 4.
    ok = good_link(
        band="2.4GHz",
        channel=6,
        channel_width_mhz=20,
        standard="wifi4",
        tx_rate_mbps=65.0,
        rx_rate_mbps=None,
    )
    assert evaluate(data_with(ok)) == []
    # Without a standard there is nothing to compare with.
    assert evaluate(data_with(good_link(standard=None, tx_rate_mbps=6.0, rx_rate_mbps=None))) == []


@pytest.mark.parametrize(
    ("retries", "packets", "expected"),
    [
        (499, 5000, None),
        (500, 5000, Severity.WARNING),
        (1500, 5000, Severity.PROBLEM),
        (90, 100, None),
    ],
)
def test_retries(retries: int, packets: int, expected: Severity | None) -> None:
    findings = evaluate(data_with(good_link(tx_retries=retries, tx_packets=packets)))
    if expected is None:
        assert findings == []
    else:
        [f] = findings
        assert (f.code, f.severity) == ("wifi.retries.high", expected)
        assert f.evidence["tx_packets"] == packets


@pytest.mark.parametrize(
    ("security", "cipher", "severity"),
    [
        ("open", None, Severity.PROBLEM),
        ("wep", "wep", Severity.PROBLEM),
        ("wpa", "tkip", Severity.WARNING),
        ("wpa/wpa2", "ccmp", Severity.WARNING),
        ("wpa2", "tkip", Severity.WARNING),
        ("wpa2", "ccmp", None),
        ("wpa3", "ccmp", None),
        ("wpa2-enterprise", "ccmp", None),
        ("owe", None, None),
    ],
)
def test_security_legacy(security: str, cipher: str | None, severity: Severity | None) -> None:
    findings = evaluate(data_with(good_link(security=security, cipher=cipher)))
    if severity is None:
        assert findings == []
    else:
        [f] = findings
        assert (f.code, f.severity) == ("wifi.security.legacy", severity)
        assert f.evidence["bssid"] == "3c:84:6a:11:22:33"
        assert "ssid" not in f.evidence


def test_weak_client_in_router_mode_carries_mac() -> None:
    stations = [
        WifiStation(mac="a4:83:e7:2b:11:05", signal_dbm=-52, band="5GHz"),
        WifiStation(mac="5c:cf:7f:42:aa:10", signal_dbm=-83, band="5GHz", interface="phy1-ap0"),
        WifiStation(mac="00:11:22:33:44:55", signal_dbm=None),
    ]
    [f] = evaluate(data_with(None, stations=stations))
    assert f.code == "wifi.client.weak"
    assert f.evidence["mac"] == "5c:cf:7f:42:aa:10"
    assert f.evidence["signal_dbm"] == -83


def test_weak_link_helper() -> None:
    t = Thresholds()
    assert wifi_is_weak_link(data_with(good_link(signal_dbm=-75)), t)
    assert wifi_is_weak_link(data_with(good_link(tx_retries=2000)), t)
    assert wifi_is_weak_link(data_with(good_link(tx_rate_mbps=20.0, rx_rate_mbps=20.0)), t)
    assert not wifi_is_weak_link(data_with(good_link(signal_dbm=-65)), t)
    assert not wifi_is_weak_link(data_with(None), t)


def test_rules_on_a_parsed_real_scan() -> None:
    """The campus recording: we sit on channel 1 next to three other networks."""
    nets = parse_iw_scan(fixture_text("iw/scan_dump_campus_2ghz.txt"))
    link = good_link(
        bssid="70:f0:96:d2:e0:62", ssid="WIFI_IUTB_IOT", band="2.4GHz", channel=1, channel_width_mhz=20,
        standard="wifi4", tx_rate_mbps=65.0, signal_dbm=-64,
    )  # fmt: skip
    data = data_with(link, nets)
    advice = next(c for c in data.channels if c.band == "2.4GHz")
    assert advice.occupancy[1] == 1  # eduroam on 1; the AP on 6 is 25 MHz away, clear of 1
    assert advice.occupancy[6] == 1 and advice.recommended == 1
    assert codes(evaluate(data)) == ["wifi.signal.fair"]
