from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from homecare.diagnose.base import Rule, RuleContext
from homecare.diagnose.device_rules import (
    DEVICE_RULES,
    CrowdedNetworkRule,
    NewUnknownDeviceRule,
    RouterMacChangedRule,
)
from homecare.models import Device, DevicesData, Observation, ProbeStatus, Report, Verdict
from homecare.profiles.provider import ProviderProfile, Thresholds


def _ctx(data: DevicesData, history: Sequence[Report] = (), limit: int = 60) -> RuleContext:
    obs = Observation(probe="devices", area="devices", status=ProbeStatus.OK, data=data)
    provider = ProviderProfile(thresholds=Thresholds(crowded_network_devices=limit))
    return RuleContext(observations={"devices": obs}, provider=provider, history=history)


GW = Device(
    key="e4:8d:8c:01:02:03",
    mac="e4:8d:8c:01:02:03",
    ipv4=["192.168.1.1"],
    is_gateway=True,
    type="router",
)


def test_rules_satisfy_protocol() -> None:
    assert all(isinstance(r, Rule) for r in DEVICE_RULES)


def test_new_unknown() -> None:
    devices = [
        GW,
        Device(key="x", mac="x", ipv4=["192.168.1.9"]),
        Device(key="y", mac="y", nickname="Mum's laptop"),
    ]
    data = DevicesData(method="arp-sweep", devices=devices, new_since_last=["x", "y"])
    (f,) = NewUnknownDeviceRule().evaluate(_ctx(data))
    assert f.code == "devices.new_unknown"
    assert f.evidence["count"] == 1 and f.evidence["devices"][0]["key"] == "x"
    data = DevicesData(method="arp-sweep", devices=devices, new_since_last=["y"])
    assert NewUnknownDeviceRule().evaluate(_ctx(data)) == []


def _report_with_gateway(mac: str, ip: str = "192.168.1.1") -> Report:
    gw = GW.model_copy(update={"mac": mac, "key": mac, "ipv4": [ip]})
    return Report(
        id="r-" + mac,
        created_at=datetime.now(UTC),
        homecare_version="0",
        areas=["devices"],
        observations=[
            Observation(
                probe="devices",
                area="devices",
                status=ProbeStatus.OK,
                data=DevicesData(method="arp-sweep", devices=[gw]),
            )
        ],
        verdict=Verdict(healthy=True, summary="ok"),
    )


def test_router_mac_changed_compares_with_the_last_inventory() -> None:
    data = DevicesData(method="arp-sweep", devices=[GW])
    (f,) = RouterMacChangedRule().evaluate(_ctx(data, [_report_with_gateway("00:11:22:33:44:55")]))
    assert f.code == "router.mac_changed"
    assert f.evidence["previous_mac"] == "00:11:22:33:44:55"
    assert RouterMacChangedRule().evaluate(_ctx(data, [_report_with_gateway(GW.mac or "")])) == []
    other_net = [_report_with_gateway("00:11:22:33:44:55", "10.0.0.1")]
    assert RouterMacChangedRule().evaluate(_ctx(data, other_net)) == []
    no_inventory = Report(
        id="r0",
        created_at=datetime.now(UTC),
        homecare_version="0",
        areas=["dns"],
        verdict=Verdict(healthy=True, summary="ok"),
    )
    assert RouterMacChangedRule().evaluate(_ctx(data, [no_inventory])) == []


def test_router_mac_changed_from_reports() -> None:
    old_gw = GW.model_copy(update={"mac": "00:11:22:33:44:55", "key": "00:11:22:33:44:55"})
    old = DevicesData(method="arp-sweep", devices=[old_gw])
    report = Report(
        id="r1",
        created_at=datetime.now(UTC),
        homecare_version="0",
        areas=["devices"],
        observations=[
            Observation(probe="devices", area="devices", status=ProbeStatus.OK, data=old)
        ],
        verdict=Verdict(healthy=True, summary="ok"),
    )
    data = DevicesData(method="arp-sweep", devices=[GW])
    (f,) = RouterMacChangedRule().evaluate(_ctx(data, [report]))
    assert f.evidence["current_mac"] == GW.mac


def test_crowded() -> None:
    devices = [Device(key=str(i)) for i in range(5)]
    data = DevicesData(method="arp-sweep", devices=devices)
    assert CrowdedNetworkRule().evaluate(_ctx(data, limit=5)) == []
    (f,) = CrowdedNetworkRule().evaluate(_ctx(data, limit=4))
    assert f.code == "lan.crowded" and f.evidence == {"count": 5, "limit": 4}
