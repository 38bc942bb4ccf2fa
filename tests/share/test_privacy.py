"""Only OUI-table vendors and allow-listed types leave the machine (issue 14
items 10 and 5): a UPnP manufacturer, device-chosen mDNS/SSDP types, plugin
area names shaped like host names and identifying integers stay local, and
the payload model itself refuses control characters and free text."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from pydantic import ValidationError

from homecare.models import (
    Device,
    DevicesData,
    Finding,
    Observation,
    ProbeStatus,
    Segment,
    Service,
    Severity,
)
from homecare.probes.discovery import oui
from homecare.share.anonymize import anonymize
from homecare.share.payload import UploadPayload

from .reports import simple_report

SECRET = b"p" * 32
APPLE_MAC = "00:03:93:12:34:56"
UNKNOWN_MAC = "02:00:00:12:34:56"  # locally administered: no vendor at all
UNLISTED_MAC = "fc:ff:ff:12:34:56"


def report_with(devices: list[Device], **update: Any) -> Any:
    base = simple_report()
    obs = Observation(
        probe="devices",
        area="devices",
        status=ProbeStatus.OK,
        data=DevicesData(method="arp-sweep", subnet="192.168.1.0/24", devices=devices),
    )
    return base.model_copy(update={"observations": [obs], **update})


def device(mac: str, vendor: str | None, services: list[Service] | None = None) -> Device:
    return Device(key=mac, mac=mac, vendor=vendor, services=services or [], is_gateway=True)


def test_a_upnp_manufacturer_is_never_uploaded_as_the_vendor() -> None:
    assert oui.lookup(UNLISTED_MAC) is None
    p = anonymize(report_with([device(UNLISTED_MAC, "Hans Schmidt")]), SECRET).model_dump(
        mode="json"
    )
    assert p["devices"][0]["vendor"] is None
    assert p["cohort"]["router_vendor"] is None
    assert "Schmidt" not in json.dumps(p)
    p = anonymize(report_with([device(APPLE_MAC, "Hans Schmidt")]), SECRET).model_dump(mode="json")
    assert p["devices"][0]["vendor"] == "Apple"  # what the table says, not the device
    assert "Schmidt" not in json.dumps(p)


def test_only_allow_listed_service_types_leave() -> None:
    services = [
        Service(source="mdns", type="_ipp._tcp.local.", name="x"),
        Service(source="mdns", type="_hans-schmidt-laptop._tcp.local.", name="x"),
        Service(source="ssdp", type="urn:schemas-upnp-org:device:MediaRenderer:1", name="x"),
        Service(source="ssdp", type="urn:schemas-upnp-org:device:Hans-Schmidt:1", name="x"),
        Service(source="ssdp", type="urn:hans-schmidt-com:device:tv:1", name="x"),
    ]
    p = anonymize(report_with([device(APPLE_MAC, None, services)]), SECRET).model_dump(mode="json")
    assert p["devices"][0]["service_types"] == [
        "_ipp._tcp",
        "urn:schemas-upnp-org:device:MediaRenderer:1",
    ]


def test_plugin_area_names_shaped_like_host_names_stay_local() -> None:
    report = simple_report()
    plugin = Observation(probe="nas.alice-home.lan", area="alice-laptop.lan", status=ProbeStatus.OK)
    report = report.model_copy(
        update={"areas": ["dns", "alice-laptop.lan", "192.168.1.7"], "observations": [plugin]}
    )
    p = anonymize(report, SECRET).model_dump(mode="json")
    assert p["areas"] == ["dns"]
    assert p["probes"][0]["area"] == "other" and p["probes"][0]["probe"] == "other"
    assert "alice" not in json.dumps(p)


def test_identifying_integers_are_dropped_and_measurements_kept() -> None:
    finding = Finding(
        code="dns.slow",
        severity=Severity.WARNING,
        segment=Segment.PROVIDER,
        summary="s",
        evidence={
            "median_ms": 410.5,
            "count": 42,
            "router_ip": 3232235777,
            "phone": 5550100,
            "serial": 123456789012,
            "bad": math.nan,
            "ok": True,
        },
    )
    p = anonymize(simple_report().model_copy(update={"findings": [finding]}), SECRET).model_dump(
        mode="json"
    )
    assert p["findings"][0]["evidence"] == {"median_ms": 410.5, "count": 42, "ok": True}


def _valid() -> dict[str, Any]:
    return anonymize(report_with([device(APPLE_MAC, None)]), SECRET).model_dump(mode="json")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("areas",), ["dns\x1b]52;c;eA==\x07"]),
        (("areas",), ["alice-laptop.lan"]),
        (("findings", 0, "evidence"), {"note": "CALL 555-0100\r\nnow"}),
        (("findings", 0, "evidence"), {"Bad Key": 1}),
        (("findings", 0, "evidence"), {"n": 3232235777}),
        (("devices", 0, "service_types"), ["_x._tcp\x1b[2J"]),
        (("devices", 0, "service_types"), ["Hans Schmidt"]),
        (
            ("probes",),
            [
                {
                    "probe": "dns",
                    "area": "dns",
                    "status": "failed",
                    "duration_s": 0.1,
                    "error": "timed out\x1b]52;c;eA==\x07",
                }
            ],
        ),
    ],
)
def test_the_payload_model_refuses_free_text(path: tuple[Any, ...], value: Any) -> None:
    payload = _valid()
    UploadPayload.model_validate(payload)  # control: the anonymizer's output is valid
    target: Any = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        UploadPayload.model_validate(payload)
