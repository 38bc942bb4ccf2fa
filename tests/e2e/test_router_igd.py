"""The router area against a real IGD: miniupnpd in the virtual home's router namespace.

* The IGD client in the laptop namespace reads link type and layer-1 rates
  (the shaped WAN's), the connection status and the external address, and the
  WAN byte counters grow by what iperf3 moved through the router between two
  readings.
* ``homecare check router`` reports an observation of area ``router`` from
  source ``igd``.
* While another device downloads through the router during the speed test,
  the check finds the line shared, and the verdict does not blame the provider.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab import addresses as A
from homecare_lab.miniupnpd import EXTERNAL_IP
from homecare_lab.provider_profile import lab_homecare_home, provider_profile_toml
from homecare_lab.spec import DeviceSpec, WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

DOWN, UP = 40.0, 20.0

READ_IGD = r"""
import json, sys, time
from homecare.probes.router.igd import IgdClient, find_igd
device = find_igd(None, sys.argv[1], 1.5, time.monotonic() + 6)
assert device is not None, "no IGD found"
client = IgdClient(device)
reading = client.read()
print(json.dumps({
    "manufacturer": device.manufacturer,
    "line": reading.line.model_dump() if reading.line else None,
    "wan_status": reading.wan_status,
    "external_ip": reading.external_ip,
    "counters": client.byte_counters(),
    "errors": reading.errors,
}))
sys.stdout.flush()
sys.stdin.readline()          # the test moves traffic now
print(json.dumps({"counters": client.byte_counters()}))
"""


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    spec = HomeSpec(
        name="igd",
        wan=WanSpec(down_mbit=DOWN, up_mbit=UP, queue_ms=20),
        devices=(DeviceSpec(name="kids-pc", kind="laptop", vendor="dell"),),
    )
    yield module_virtual_home(spec)


def _iperf_server(home: VirtualHome) -> subprocess.Popen[bytes]:
    server = home.spawn("provider", ["iperf3", "-s", "-B", A.IPERF])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = home.run_in("provider", ["ss", "-ltn", "sport = :5201"])
        if "5201" in probe.stdout:
            return server
        time.sleep(0.1)
    raise AssertionError("iperf3 server did not listen")


def _iperf_json(out: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_igd_reads_link_counters_and_external_address(home: VirtualHome) -> None:
    server = _iperf_server(home)
    reader = subprocess.Popen(
        ["ip", "netns", "exec", home.laptop_ns, sys.executable, "-c", READ_IGD, home.router_ip],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        first = json.loads(reader.stdout.readline() or "{}")
        assert first, reader.stderr.read() if reader.stderr else ""
        line = first["line"]
        assert line["status"] == "Up"
        assert line["sync_down_kbit"] == DOWN * 1000 and line["sync_up_kbit"] == UP * 1000
        assert first["wan_status"] == "Connected"
        assert first["external_ip"] == EXTERNAL_IP
        assert first["errors"] == []
        # move a known amount through the router: the laptop downloads from the provider
        got = home.run_in_laptop(["iperf3", "-c", A.IPERF, "-R", "-n", "3M", "-J"], timeout=60)
        assert got.returncode == 0, got.stderr
        moved = _iperf_json(got.stdout)["end"]["sum_received"]["bytes"]
        reader.stdin.write("\n")
        reader.stdin.flush()
        second = json.loads(reader.stdout.readline())
        rx0, tx0 = first["counters"]
        rx1, tx1 = second["counters"]
        delta_rx = (rx1 - rx0) % 2**32  # the counters are 32-bit ui4
        # the WAN counters count frames with headers: a little more than the payload
        assert moved <= delta_rx <= moved * 1.15 + 200_000, (moved, delta_rx)
        assert (tx1 - tx0) % 2**32 > 0
    finally:
        reader.kill()
        reader.wait()
        home.stop(server)


def _check(home: VirtualHome, tmp_path: Path, *areas: str) -> tuple[int, dict[str, Any], str]:
    hc_home = lab_homecare_home(tmp_path)
    provider = tmp_path / "provider.toml"
    provider.write_text(provider_profile_toml(WanSpec(down_mbit=DOWN, up_mbit=UP)))
    proc = home.run_in_laptop(
        [sys.executable, "-m", "homecare", "check", "--json", "--no-save", *areas],
        env={"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider)},
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, report, proc.stderr


def _router_obs(report: dict[str, Any]) -> dict[str, Any]:
    obs = [o for o in report["observations"] if o["area"] == "router"]
    assert len(obs) == 1, report["observations"]
    found: dict[str, Any] = obs[0]
    return found


def test_check_router_area_reads_the_igd(home: VirtualHome, tmp_path: Path) -> None:
    _code, report, stderr = _check(home, tmp_path, "router")
    obs = _router_obs(report)
    assert obs["status"] == "ok", (obs, stderr)
    data = obs["data"]
    assert data["kind"] == "router" and data["source"] == "igd" and data["sources"] == ["igd"]
    assert data["external_ip"] == EXTERNAL_IP
    assert data["line"]["sync_down_kbit"] == DOWN * 1000
    counters = data["counters"]
    assert counters["bits"] == 32 and len(counters["samples"]) >= 2
    assert counters["down_mbit"] is not None and counters["down_mbit"] < 1.0  # an idle line


def test_download_by_another_device_marks_the_speed_test_shared(
    home: VirtualHome, tmp_path: Path
) -> None:
    server = _iperf_server(home)
    # the kids' PC downloads for the whole check: about half the line in TCP competition
    download = home.spawn(
        "kids-pc", ["iperf3", "-c", A.IPERF, "-R", "-t", "60", "--connect-timeout", "3000"]
    )
    try:
        time.sleep(1.0)
        _code, report, stderr = _check(home, tmp_path, "speed", "router")
    finally:
        home.stop(download)
        home.stop(server)
    data = _router_obs(report)["data"]
    shared = data["during_speed_test"]
    assert shared is not None, (data, stderr)
    assert shared["other_down_mbit"] > 5.0, shared
    findings = {f["code"]: f for f in report["findings"]}
    assert "router.wan.shared_during_speed_test" in findings, sorted(findings)
    # the provider is not blamed for a result the other device took half of
    assert report["verdict"]["segment"] != "provider", report["verdict"]
    assert any("shared" in line for line in report["verdict"]["evidence"]), report["verdict"]


def test_an_igd_that_vanishes_during_the_check_costs_only_the_watch(
    home: VirtualHome, tmp_path: Path
) -> None:
    hc_home = lab_homecare_home(tmp_path)
    provider = tmp_path / "provider.toml"
    provider.write_text(provider_profile_toml(WanSpec(down_mbit=DOWN, up_mbit=UP)))
    check = subprocess.Popen(
        ["ip", "netns", "exec", home.laptop_ns, sys.executable, "-m", "homecare", "check",
         "--json", "--no-save", "speed", "router"],
        env={**os.environ, "HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        time.sleep(6.0)  # the IGD was found and read; the speed test is running
        home.igd_down()
        out, err = check.communicate(timeout=120)
    finally:
        if check.poll() is None:
            check.kill()
            check.wait()
    assert "Traceback" not in err, err
    report: dict[str, Any] = json.loads(out)
    by_probe = {o["probe"]: o for o in report["observations"]}
    assert by_probe["speed"]["status"] == "ok"  # the rest of the check went on
    router = by_probe["router"]
    assert router["status"] == "ok", router
    data = router["data"]
    assert data["line"]["sync_down_kbit"] == DOWN * 1000  # what was read before it went
    assert data["during_speed_test"] is None  # the window could not be closed
    assert any("stopped answering" in e for e in data["errors"]), data["errors"]
