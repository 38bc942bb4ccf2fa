"""One hostile device never disables discovery (issue 14 item 4).

Loopback unit tests (zeroconf bound to 127.0.0.1 only) and an end-to-end run
in network namespaces the test builds (tests/probes/discovery/conftest.py): a
device announcing mDNS service types zeroconf refuses and serving a UPnP
description in an unknown encoding, next to a well-behaved printer.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from homecare_lab.hostile_device import (
    BAD_TYPES,
    HOSTILE_XML,
    announce_forever,
    serve_description,
    ssdp_responder,
)

from homecare.probes.discovery import mdns, ssdp


@pytest.mark.parametrize("type_", BAD_TYPES)
def test_types_zeroconf_refuses_are_not_browsed(type_: str) -> None:
    assert not mdns._valid_type(type_)
    c = mdns.Collector()
    c.on_change(mdns.SERVICES_META, type_)
    assert c.take_pending() == [] and c.dropped == 1


def test_listed_and_odd_but_valid_types_are_browsed() -> None:
    assert all(mdns._valid_type(t) for t in mdns.DEFAULT_TYPES)
    assert mdns._valid_type("_odd-thing._tcp.local.")


@pytest.fixture
def zc_loopback() -> Iterator[Any]:
    from zeroconf import IPVersion, Zeroconf

    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    yield zc
    zc.unregister_all_services()
    zc.close()


def test_browse_survives_a_hostile_responder_on_loopback(zc_loopback: Any) -> None:
    from zeroconf import ServiceInfo

    printer = ServiceInfo(
        "_ipp._tcp.local.",
        "Office Printer._ipp._tcp.local.",
        addresses=[socket.inet_aton("127.0.0.1")],
        port=631,
        properties={"ty": "HL"},
        server="brn1.local.",
    )
    zc_loopback.register_service(printer, cooperating_responders=True)
    stop = threading.Event()
    thread = threading.Thread(target=announce_forever, args=(zc_loopback, stop, 0.1), daemon=True)
    thread.start()
    try:
        services, dropped = mdns.browse("127.0.0.1", 3.0, time.monotonic() + 6)
    finally:
        stop.set()
        thread.join()
    assert "_ipp._tcp" in {s.type for s in services}
    assert dropped >= 1  # the refused types were counted, not browsed


def test_a_description_in_an_unknown_encoding_is_refused() -> None:
    assert ssdp.parse_description(HOSTILE_XML) is None


def test_ssdp_discover_keeps_a_device_with_a_hostile_description() -> None:
    server = serve_description("127.0.0.1")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()
    location = f"http://127.0.0.1:{server.server_address[1]}/desc.xml"
    thread = threading.Thread(target=ssdp_responder, args=(sock, location, stop), daemon=True)
    thread.start()
    try:
        devices = ssdp.discover(
            "127.0.0.1", 0.6, time.monotonic() + 5, target=("127.0.0.1", sock.getsockname()[1])
        )
    finally:
        stop.set()
        thread.join()
        sock.close()
        server.shutdown()
        server.server_close()
    assert [d.ip for d in devices] == ["127.0.0.1"]
    assert devices[0].description is None


def _start(mini_home: Any, device: int, *extra: str) -> subprocess.Popen[str]:
    ns = f"{mini_home.prefix}d{device}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            ns,
            sys.executable,
            "-m",
            "homecare_lab.hostile_device",
            "--ip",
            mini_home.device_ip(device),
            *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "READY"
    return proc


@pytest.mark.e2e  # discovery inside the namespace home the fixture builds
def test_devices_probe_in_a_home_with_a_hostile_device(mini_home: Any, tmp_path: Path) -> None:
    """``homecare check devices`` (the one flow) beside the hostile device."""
    from homecare_lab.provider_profile import lab_homecare_home
    from homecare_lab.runs import observation

    hc_home = lab_homecare_home(tmp_path)
    hostile = _start(mini_home, 1)
    printer = _start(mini_home, 2, "--printer")
    # exit 1 (findings: this LAN has no internet) is a finished check; 2+ is not
    argv = ["sh", "-c", '"$@"; [ $? -le 1 ]', "sh", "env", f"HOMECARE_HOME={hc_home}"]
    argv += [sys.executable, "-m", "homecare", "check", "devices", "--json", "--no-save"]
    try:
        report = json.loads(mini_home.run_args(argv))
    finally:
        for proc in (hostile, printer):
            proc.terminate()
            proc.wait(timeout=10)
    obs = observation(report, "devices")
    assert obs["status"] == "ok", obs
    data = obs["data"]
    by_ip = {ip: d for d in data["devices"] for ip in d["ipv4"]}
    evil = by_ip[mini_home.device_ip(1)]
    assert "ssdp" in evil["sources"]  # the device is listed, its description ignored
    assert evil["vendor"] != "Hans Schmidt"
    printer_dev = by_ip[mini_home.device_ip(2)]
    assert any(s["type"] == "_ipp._tcp" for s in printer_dev["services"])
    assert len(data["devices"]) >= len(mini_home.macs)  # the sweep found everyone
