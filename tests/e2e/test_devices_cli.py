"""`homecare devices` in the virtual home: inventory, names, new and missing.

Runs the real CLI in the laptop namespace twice against the same history, so
the comparison with the previous inventory and the stored nicknames are
exercised the way a customer would meet them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome, catalogue_devices
from homecare_lab.provider_profile import lab_homecare_home, provider_profile_toml

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> VirtualHome:
    return module_virtual_home(HomeSpec(name="devcli", devices=tuple(catalogue_devices(8))))


def homecare(home: VirtualHome, root: Path, *args: str) -> Any:
    hc_home = lab_homecare_home(root)
    # the lab's own "ISP": a devices check also asks whether the router answers
    provider = hc_home / "lab-isp.toml"
    provider.write_text(provider_profile_toml())
    provider.chmod(0o644)
    env = {"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider)}
    proc = home.run_in_laptop([sys.executable, "-m", "homecare", *args], env=env, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def inventory(report: dict[str, Any]) -> dict[str, Any]:
    obs = next(o for o in report["observations"] if o["probe"] == "devices")
    assert obs["status"] == "ok", obs
    data: dict[str, Any] = obs["data"]
    return data


def test_inventory_names_and_changes(home: VirtualHome, tmp_path: Path) -> None:
    truth = home.ground_truth()
    devices = truth["devices"]
    leaving, returning = devices[0], devices[1]
    home.device_disappears(returning["name"])

    first = homecare(home, tmp_path, "devices", "--json")
    data = inventory(json.loads(first.stdout))
    macs = {d["mac"] for d in data["devices"]}
    expected = {d["mac"] for d in devices if d["name"] != returning["name"]}
    assert expected <= macs
    assert returning["mac"] not in macs
    assert data["new_since_last"] == []  # the first inventory: nothing is "new"
    gateway = next(d for d in data["devices"] if d["is_gateway"])
    assert gateway["ipv4"] == [truth["lan"]["router_ip"]]

    named = homecare(home, tmp_path, "devices", "name", leaving["ip"], "Living room TV")
    assert named.returncode == 0, named.stderr
    assert leaving["mac"] in named.stdout

    home.device_disappears(leaving["name"])
    home.device_returns(returning["name"])
    try:
        second_plain = homecare(home, tmp_path, "devices", "--plain", "--no-save")
        second = homecare(home, tmp_path, "devices", "--json")
    finally:
        home.device_returns(leaving["name"])
    report = json.loads(second.stdout)
    data = inventory(report)
    assert data["new_since_last"] == [returning["mac"]]
    assert data["missing_since_last"] == [leaving["mac"]]
    assert "devices.new_unknown" in {f["code"] for f in report["findings"]}
    assert second.returncode == 0  # worth knowing, not a fault

    assert [d["nickname"] for d in data["missing_devices"]] == ["Living room TV"]
    # the named device that went missing is shown by its name (it was stored, never shown)
    missing_line = next(x for x in second_plain.stdout.splitlines() if "Living room TV" in x)
    assert "not seen this time" in missing_line, second_plain.stdout

    third = homecare(home, tmp_path, "devices", "--plain")
    assert "Living room TV" in third.stdout
    assert "Devices on your network" in third.stdout

    forgot = homecare(home, tmp_path, "devices", "forget", leaving["mac"])
    assert forgot.returncode == 0
    again = homecare(home, tmp_path, "devices", "forget", leaving["mac"])
    assert again.returncode == 2
    assert len(again.stderr.strip().splitlines()) == 1


def test_devices_with_the_router_down_says_so(home: VirtualHome, tmp_path: Path) -> None:
    # it used to list only the laptop and say nothing else
    home.router_down()
    try:
        proc = homecare(home, tmp_path, "devices", "--json", "--no-save")
    finally:
        home.router_up()
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert "router.unreachable" in {f["code"] for f in report["findings"]}
    assert report["verdict"]["segment"] == "router"


def test_naming_an_unknown_address_is_a_usage_error(home: VirtualHome, tmp_path: Path) -> None:
    proc = homecare(home, tmp_path, "devices", "name", "not-an-address", "x")
    assert proc.returncode == 2
    assert "neither a MAC address nor an IP address" in proc.stderr
