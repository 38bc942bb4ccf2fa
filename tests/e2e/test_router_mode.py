"""Router mode: ``homecare check router --router`` inside the virtual home's router namespace.

It lists the LAN devices from the router's real dnsmasq leases, reads the
Wi-Fi clients per radio from ``iw`` (a script first on PATH prints recorded
``iw dev`` / ``station dump`` output naming the lab's devices: the lab has no
radio), names a weak one by the person's nickname, and attributes the WAN
traffic from conntrack to the device downloading through the router.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab import addresses as A
from homecare_lab.provider_profile import lab_homecare_home, provider_profile_toml
from homecare_lab.spec import DeviceSpec, WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

IW_FIXTURES = Path(__file__).resolve().parents[1] / "probes" / "wifi" / "fixtures" / "iw"

STATION = """Station {mac} (on {radio})
\tinactive time:\t120 ms
\trx bytes:\t145920
\trx packets:\t1204
\ttx bytes:\t854002
\ttx packets:\t2840
\ttx retries:\t14
\ttx failed:\t0
\tsignal:  \t{dbm} [{dbm}, {dbm}] dBm
\tsignal avg:\t{dbm} [{dbm}, {dbm}] dBm
\ttx bitrate:\t{rate} MBit/s
\trx bitrate:\t{rate} MBit/s
\tauthorized:\tyes
\tauthenticated:\tyes
\tassociated:\tyes
\tconnected time:\t3721 seconds
"""

FAKE_IW = """#!/bin/sh
# iw for a router without radios: recorded output, per radio
dir="$(dirname "$0")"
if [ "$1" = dev ] && [ $# -eq 1 ]; then cat "$dir/iw-dev.txt"; exit 0; fi
if [ "$1" = dev ] && [ "$3" = station ] && [ "$4" = dump ]; then cat "$dir/station-$2.txt"; exit 0; fi
echo "command failed: Operation not supported (-95)" >&2; exit 1
"""


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    spec = HomeSpec(
        name="routermode",
        wan=WanSpec(down_mbit=40.0, up_mbit=20.0, queue_ms=20),
        devices=(
            DeviceSpec(name="kids-pc", kind="laptop", vendor="dell", hostname="kids-pc"),
            DeviceSpec(name="garden-cam", kind="camera", vendor="dell", hostname="cam-7731"),
        ),
    )
    yield module_virtual_home(spec)


def _fake_iw(tmp: Path, home: VirtualHome) -> Path:
    tools = tmp / "tools"
    tools.mkdir()
    (tools / "iw-dev.txt").write_text((IW_FIXTURES / "dev_router_ap.txt").read_text())
    pc, cam = home.spec.device("kids-pc"), home.spec.device("garden-cam")
    (tools / "station-phy1-ap0.txt").write_text(
        STATION.format(mac=pc.mac, radio="phy1-ap0", dbm=-48, rate="866.7")
    )
    (tools / "station-phy0-ap0.txt").write_text(
        STATION.format(mac=cam.mac, radio="phy0-ap0", dbm=-84, rate="6.5")
    )
    script = tools / "iw"
    script.write_text(FAKE_IW)
    script.chmod(0o755)
    return tools


def _lease_for(home: VirtualHome, name: str, tmp: Path) -> str:
    """The device asks dnsmasq for a lease, as its DHCP client would, and takes the
    address (beside its static one), so the router's lease file names it and its
    traffic comes from the leased address."""
    spec = home.spec.device(name)
    out = tmp / f"lease-{name}"
    script = tmp / "udhcpc-record.sh"
    script.write_text('#!/bin/sh\n[ "$1" = bound ] && echo "$ip" > "$LEASE_OUT"\nexit 0\n')
    script.chmod(0o755)
    got = home.run_in(
        name,
        ["busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1",
         "-s", str(script), "-x", f"hostname:{spec.hostname}"],
        env={"LEASE_OUT": str(out)},
        timeout=30,
    )  # fmt: skip
    assert out.exists(), got.stdout + got.stderr
    ip = out.read_text().strip()
    prefix = home.spec.network.prefixlen
    added = home.run_in(name, ["ip", "addr", "add", f"{ip}/{prefix}", "dev", "eth0"])
    assert added.returncode == 0, added.stderr
    return ip


def test_router_mode_lists_lan_devices_wifi_and_who_uses_the_line(
    home: VirtualHome, tmp_path: Path
) -> None:
    tmp_path.chmod(0o755)
    pc_ip = _lease_for(home, "kids-pc", tmp_path)
    _lease_for(home, "garden-cam", tmp_path)
    tools = _fake_iw(tmp_path, home)
    hc_home = lab_homecare_home(tmp_path)
    (hc_home / "config" / "profile.toml").write_text(
        f'[router]\nleases = ["{home.lease_file}"]\nlan_network = "{home.spec.lan.subnet}"\n'
    )
    provider = tmp_path / "provider.toml"
    provider.write_text(provider_profile_toml(WanSpec(down_mbit=40.0, up_mbit=20.0)))
    env = {
        "HOMECARE_HOME": str(hc_home),
        "HOMECARE_PROVIDER": str(provider),
        "PATH": f"{tools}:/usr/sbin:/usr/bin:/sbin:/bin",
    }
    cam = home.spec.device("garden-cam")
    named = home.run_in(
        "router",
        [sys.executable, "-m", "homecare", "devices", "name", str(cam.mac), "Garden camera"],
        env=env,
    )
    assert named.returncode == 0, named.stderr
    server = home.spawn("provider", ["iperf3", "-s", "-B", A.IPERF])
    time.sleep(0.5)
    download = home.spawn("kids-pc", ["iperf3", "-c", A.IPERF, "-R", "-t", "20", "-B", pc_ip])
    try:
        time.sleep(3.0)  # the download is under way
        proc = home.run_in(
            "router",
            [
                sys.executable,
                "-m",
                "homecare",
                "check",
                "router",
                "--router",
                "--json",
                "--no-save",
            ],
            env=env,
            timeout=90,
        )
    finally:
        home.stop(download)
        home.stop(server)
    assert "Traceback" not in proc.stderr, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    obs = next(o for o in report["observations"] if o["area"] == "router")
    assert obs["status"] == "ok", obs
    data = obs["data"]
    assert data["source"] == "local" and data["counters"]["bits"] == 64
    clients = {c["mac"]: c for c in data["clients"] if c["mac"]}
    pc, cam_client = clients[str(home.spec.device("kids-pc").mac)], clients[str(cam.mac)]
    assert pc["hostname"] == "kids-pc" and cam_client["hostname"] == "cam-7731"
    assert pc["wifi"] and pc["radio"] == "phy1-ap0" and pc["signal_dbm"] == -48
    assert cam_client["signal_dbm"] == -84 and cam_client["nickname"] == "Garden camera"
    # conntrack: the PC's download is what uses the line
    assert pc["down_bytes"] > 5_000_000, pc
    assert (cam_client["down_bytes"] or 0) < pc["down_bytes"] / 100
    assert data["counters"]["down_mbit"] > 5.0  # the WAN counters see the download too
    weak = [f for f in report["findings"] if f["code"] == "router.wifi.client_weak"]
    assert len(weak) == 1 and "Garden camera" in weak[0]["summary"], report["findings"]
