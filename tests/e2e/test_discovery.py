"""Device discovery against the virtual home's ground truth (root, namespaces).

homecare's discovery runs inside the laptop namespace the way a customer
runs it (``homecare check devices --json``, the one flow), once as root (ARP
sweep) and once as ``nobody`` with no capabilities (neighbour table).
"""

from __future__ import annotations

from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome, catalogue_devices
from homecare_lab.runs import discover_devices, nobody_cannot_run_homecare, open_workdir

pytestmark = pytest.mark.e2e

N_DEVICES = 50
# The lab's device kinds in homecare's vocabulary.
KIND_TO_TYPE = {"laptop": "computer"}


def discover(home: VirtualHome, unprivileged: bool = False) -> dict[str, Any]:
    """What ``homecare check devices`` finds on the laptop (root, or nobody)."""
    if unprivileged and (why := nobody_cannot_run_homecare()):
        pytest.skip(why)
    with open_workdir() as workdir:
        return discover_devices(home, workdir, unprivileged=unprivileged)


@pytest.fixture(scope="module")
def home(module_virtual_home: Any) -> VirtualHome:
    spec = HomeSpec(name="discovery", devices=tuple(catalogue_devices(N_DEVICES)))
    built: VirtualHome = module_virtual_home(spec)
    return built


@pytest.fixture(scope="module")
def truth(home: VirtualHome) -> dict[str, Any]:
    return home.ground_truth()


@pytest.fixture(scope="module")
def privileged(home: VirtualHome) -> dict[str, Any]:
    return discover(home)


def _by_mac(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["mac"]: d for d in data["devices"] if d["mac"]}


def test_privileged_finds_every_device(privileged: dict[str, Any], truth: dict[str, Any]) -> None:
    assert privileged["method"] == "arp-sweep"
    assert privileged["subnet"] == truth["lan"]["subnet"]
    found = _by_mac(privileged)
    for dev in truth["devices"]:
        assert dev["mac"].lower() in found, dev["name"]
        got = found[dev["mac"].lower()]
        assert dev["ip"] in got["ipv4"], dev["name"]
        assert got["randomized_mac"] == dev["randomized_mac"], dev["name"]
        if dev["randomized_mac"]:
            assert got["vendor"] is None
        elif dev["vendor_org"]:
            assert got["vendor"], dev["name"]
    # Devices + router + the laptop itself, nothing invented.
    assert len(privileged["devices"]) == len(truth["devices"]) + 2
    assert privileged["elapsed_s"] < 8


def test_gateway_and_self(privileged: dict[str, Any], truth: dict[str, Any]) -> None:
    found = _by_mac(privileged)
    router = found[truth["lan"]["router_mac"].lower()]
    assert router["is_gateway"] and router["type"] == "router"
    assert truth["lan"]["router_ip"] in router["ipv4"]
    me = found[truth["laptop"]["mac"].lower()]
    assert me["is_self"] and truth["laptop"]["ip"] in me["ipv4"]
    assert sum(d["is_gateway"] for d in privileged["devices"]) == 1
    assert sum(d["is_self"] for d in privileged["devices"]) == 1


def test_every_mdns_service(privileged: dict[str, Any], truth: dict[str, Any]) -> None:
    found = _by_mac(privileged)
    for dev in truth["devices"]:
        got = found[dev["mac"].lower()]
        services = {(s["type"], s["name"]): s for s in got["services"] if s["source"] == "mdns"}
        for svc in dev["services"]:
            key = (svc["type"].removesuffix(".").removesuffix(".local"), svc["name"])
            assert key in services, (dev["name"], key)
            assert services[key]["port"] == svc["port"]


def test_every_upnp_description(privileged: dict[str, Any], truth: dict[str, Any]) -> None:
    found = _by_mac(privileged)
    for dev in truth["devices"]:
        if not dev["ssdp"]:
            continue
        got = found[dev["mac"].lower()]
        ssdp = [s for s in got["services"] if s["source"] == "ssdp"]
        assert ssdp, dev["name"]
        assert ssdp[0]["name"] == dev["ssdp"]["friendly_name"]
        assert ssdp[0]["properties"]["model"] == dev["ssdp"]["model_name"]
        assert ssdp[0]["properties"]["manufacturer"] == dev["ssdp"]["manufacturer"]


def test_classification(privileged: dict[str, Any], truth: dict[str, Any]) -> None:
    found = _by_mac(privileged)
    announced = [d for d in truth["devices"] if d["services"] or d["ssdp"]]
    assert announced
    wrong = []
    for dev in announced:
        got = found[dev["mac"].lower()]
        want = KIND_TO_TYPE.get(dev["kind"], dev["kind"])
        if got["type"] != want:
            wrong.append((dev["name"], dev["kind"], got["type"], got["type_evidence"]))
        else:
            assert got["type_evidence"], dev["name"]
    assert not wrong


def test_unprivileged_completeness(home: VirtualHome, truth: dict[str, Any]) -> None:
    data = discover(home, unprivileged=True)
    assert data["method"] == "neighbour-table"
    assert "sudo" in (data["method_note"] or "")
    want = {d["mac"].lower() for d in truth["devices"]} | {truth["lan"]["router_mac"].lower()}
    got = set(_by_mac(data))
    assert len(want & got) / len(want) >= 0.95, sorted(want - got)
    assert got <= want | {truth["laptop"]["mac"].lower()}
