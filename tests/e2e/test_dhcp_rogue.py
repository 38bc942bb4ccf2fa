"""A second DHCP server on the virtual home's LAN is found and named.

A real dnsmasq, started in one device namespace with a DHCP range of its
own, plays the second router someone plugged in LAN-to-LAN.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome, catalogue_devices
from homecare_lab.runs import check_json

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]


def _devices(home: VirtualHome, workdir: Path) -> dict[str, Any]:
    """``homecare check --quick devices`` on the laptop, with the virtual ISP's profile."""
    workdir.mkdir(parents=True, exist_ok=True)
    return check_json(home, workdir, "--quick", "devices")


def test_rogue_dhcp_server_is_reported(virtual_home: HomeFactory, tmp_path: Path) -> None:
    home = virtual_home(HomeSpec(name="dhcp", devices=tuple(catalogue_devices(3))))
    truth = home.ground_truth()
    rogue = truth["devices"][2]

    report = _devices(home, tmp_path / "a")
    data = next(o for o in report["observations"] if o["probe"] == "devices")["data"]
    assert data["dhcp_servers"] == [truth["lan"]["router_ip"]]
    assert "lan.dhcp.multiple_servers" not in {f["code"] for f in report["findings"]}

    server = home.spawn(
        rogue["name"],
        ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--port=0",
         # --no-ping: dnsmasq otherwise pings a new address for a few seconds first
         "--bind-interfaces", "--interface=eth0", "--user=root", "--no-ping",
         f"--dhcp-leasefile={tmp_path / 'rogue.leases'}",
         f"--pid-file={tmp_path / 'rogue.pid'}",
         "--dhcp-range=192.168.77.220,192.168.77.230,5m",
         f"--dhcp-option=3,{rogue['ip']}"],
    )  # fmt: skip
    try:
        time.sleep(0.5)
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        report = _devices(home, tmp_path / "b")
    finally:
        home.stop(server)
    data = next(o for o in report["observations"] if o["probe"] == "devices")["data"]
    assert sorted(data["dhcp_servers"]) == sorted([truth["lan"]["router_ip"], rogue["ip"]])
    finding = next(f for f in report["findings"] if f["code"] == "lan.dhcp.multiple_servers")
    assert finding["evidence"]["unexpected"] == [rogue["ip"]]
    seen = [(f["code"], f["segment"], f["severity"]) for f in report["findings"]]
    assert report["verdict"]["segment"] == "lan", (report["verdict"], seen)
