"""Spec parsing and resolution (no root needed)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from homecare_lab import DeviceSpec, HomeSpec, SpecError, WanSpec, catalogue_devices
from homecare_lab.catalog import TEMPLATES, template_device
from homecare_lab.oui import VENDOR_OUIS, is_locally_administered, vendor_of_mac

ROOT = Path(__file__).resolve().parents[2]


def test_fifty_catalogue_devices_resolve_to_unique_addresses_and_macs() -> None:
    home = HomeSpec(devices=tuple(catalogue_devices(50))).resolved()
    ips = [d.ip for d in home.devices]
    macs = [d.mac for d in home.devices]
    assert len(set(ips)) == len(set(macs)) == 50
    net = ipaddress.IPv4Network(home.lan.subnet)
    start, end = (ipaddress.IPv4Address(x) for x in home.dhcp_range())
    for ip in ips:
        addr = ipaddress.IPv4Address(ip)
        assert addr in net and not start <= addr <= end and ip != home.router_ip


def test_resolution_is_deterministic() -> None:
    a = HomeSpec(devices=tuple(catalogue_devices(10))).resolved()
    b = HomeSpec(devices=tuple(catalogue_devices(10))).resolved()
    assert a == b


def test_vendor_macs_use_the_vendor_oui_and_random_ones_are_local() -> None:
    home = HomeSpec(devices=tuple(catalogue_devices(len(TEMPLATES)))).resolved()
    for d in home.devices:
        assert d.mac is not None
        if d.randomized_mac:
            assert is_locally_administered(d.mac)
            assert not int(d.mac[:2], 16) & 1  # unicast
        elif d.vendor:
            assert vendor_of_mac(d.mac) == VENDOR_OUIS[d.vendor][1]
            assert not is_locally_administered(d.mac)


def test_ouis_are_in_arp_scans_ieee_table_when_available() -> None:
    table = Path("/usr/share/arp-scan/ieee-oui.txt")
    if not table.exists():
        pytest.skip("arp-scan's OUI table not installed")
    entries = dict(
        line.split("\t", 1)
        for line in table.read_text(errors="replace").splitlines()
        if "\t" in line
    )
    for oui, org in VENDOR_OUIS.values():
        assert entries.get(oui, "").strip() == org, oui


def test_explicit_values_win_and_conflicts_are_rejected() -> None:
    dev = DeviceSpec("nas", ip="192.168.77.30", mac="02:00:00:00:00:01")
    home = HomeSpec(devices=(dev,)).resolved()
    assert home.devices[0].ip == "192.168.77.30" and home.devices[0].mac == "02:00:00:00:00:01"
    with pytest.raises(SpecError, match="used twice"):
        HomeSpec(devices=(dev, DeviceSpec("b", ip="192.168.77.30"))).resolved()
    with pytest.raises(SpecError, match="outside"):
        HomeSpec(devices=(DeviceSpec("c", ip="10.0.0.1"),)).resolved()
    with pytest.raises(SpecError, match="multicast"):
        HomeSpec(devices=(DeviceSpec("d", mac="01:00:5e:00:00:01"),)).resolved()
    with pytest.raises(SpecError, match="name"):
        HomeSpec(devices=(DeviceSpec("Bad Name"),)).resolved()
    with pytest.raises(SpecError, match="vendor"):
        HomeSpec(devices=(DeviceSpec("e", vendor="acme"),)).resolved()
    with pytest.raises(SpecError, match="loss"):
        HomeSpec(wan=WanSpec(loss_down_pct=120)).resolved()


def test_static_laptop_address_is_reserved() -> None:
    from homecare_lab import LaptopSpec

    home = HomeSpec(laptop=LaptopSpec(dhcp=False, ip="192.168.77.10"),
                    devices=tuple(catalogue_devices(3))).resolved()  # fmt: skip
    assert "192.168.77.10" not in {d.ip for d in home.devices}


def test_txt_placeholders_are_filled() -> None:
    home = HomeSpec(devices=(template_device("axis-camera", "cam"),)).resolved()
    cam = home.devices[0]
    assert cam.mac is not None
    assert cam.services[0].txt["macaddress"] == cam.mac.upper()


def test_ssdp_devices_get_stable_uuids() -> None:
    home = HomeSpec(devices=(template_device("sonos-speaker", "s"),)).resolved()
    ssdp = home.devices[0].ssdp
    assert ssdp is not None and ssdp.uuid and len(ssdp.uuid) == 36


def test_shipped_profiles_load() -> None:
    for name in ("default", "degraded"):
        spec = HomeSpec.from_toml(ROOT / "profiles" / "homes" / f"{name}.toml").resolved()
        assert spec.devices
    default = HomeSpec.from_toml(ROOT / "profiles" / "homes" / "default.toml").resolved()
    printer = default.device("office-printer")
    assert printer.ip == "192.168.77.20" and printer.kind == "printer"
    assert default.device("garden-cam").ssdp is not None
    nas = default.device("nas")
    assert [s.type for s in nas.services] == ["_smb._tcp", "_device-info._tcp"]


def test_toml_rejects_unknown_keys(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[wan]\ndown_mbps = 5\n")
    with pytest.raises(SpecError, match="down_mbps"):
        HomeSpec.from_toml(bad)
    bad.write_text('[[devices]]\nname = "x"\ntemplate = "toaster"\n')
    with pytest.raises(SpecError, match="toaster"):
        HomeSpec.from_toml(bad)
