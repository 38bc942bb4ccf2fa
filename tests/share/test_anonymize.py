"""The anonymizer: nothing identifying survives, in any encoding, and the
payload always validates against the published schema."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from hypothesis import HealthCheck, assume, given, settings

from homecare.models import DevicesData
from homecare.probes.discovery import oui
from homecare.share.anonymize import _vendor, anonymize, coarse_network, hash_mac
from homecare.share.payload import UploadPayload, render_upload_schema, upload_schema
from homecare.share.scrub import VOCABULARY, scrub_text

from .reports import identifying_reports, simple_report

SECRET = b"k" * 32
#: Text every payload may contain whatever the report: schema keys and closed vocabularies.
FIXED_TEXT = (json.dumps(upload_schema()) + " ".join(VOCABULARY)).lower()
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "upload-v1.json"


def encodings(value: str) -> set[str]:
    raw = value.encode()
    forms = {
        value,
        value.lower(),
        value.upper(),
        value.replace(":", ""),
        value.replace(":", "").upper(),
        value.replace(":", "-"),
        raw.hex(),
        raw.hex().upper(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        quote(value, safe=""),
        quote(value),
        json.dumps(value)[1:-1],
    }
    return {f for f in forms if len(f) >= 6}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identifying_reports())
def test_no_identifying_value_survives(case: tuple[Any, ...]) -> None:
    report, secrets = case
    for value in secrets.hostnames + secrets.users:
        assume(value.split(".")[0].lower() not in VOCABULARY)
    payload = anonymize(report, SECRET).model_dump(mode="json")
    blob = json.dumps(payload)
    blob_ascii = json.dumps(payload, ensure_ascii=True)
    for value in secrets.values():
        if any(form.lower() in FIXED_TEXT for form in encodings(value)):
            continue  # e.g. an SSID "STATUS": the payload's own key, not a leak
        for form in encodings(value):
            assert form not in blob, (value, form)
            assert form not in blob_ascii, (value, form)
        # each dotted label of a host name, and each path component, too
        for part in value.replace("/", ".").split("."):
            if len(part) >= 6 and part.lower() not in VOCABULARY:
                assert part not in blob, (value, part)


@settings(max_examples=30, deadline=None)
@given(identifying_reports())
def test_payload_validates_against_schema(case: tuple[Any, ...]) -> None:
    report, _ = case
    payload = anonymize(
        report,
        SECRET,
        plan_tier="fiber-300",
        feedback_score=4,
        offer_shown="mesh.upsell",
        offer_taken=False,
        public_ip="203.0.113.77",
    ).model_dump(mode="json")
    jsonschema.validate(payload, upload_schema())
    UploadPayload.model_validate(payload)


@settings(max_examples=5, deadline=None)
@given(identifying_reports())
def test_cohort_fields_kept(case: tuple[Any, ...]) -> None:
    report = case[0]
    p = anonymize(
        report,
        SECRET,
        plan_tier="fiber-300",
        plan_down_mbps=300.0,
        feedback_score=2,
        offer_shown="mesh.upsell",
        public_ip="2001:db8::1",
    ).model_dump(mode="json")
    assert p["cohort"]["plan_tier"] == "fiber-300"
    assert p["cohort"]["connection_type"] == "wifi"
    assert p["cohort"]["wifi_band"] == "5GHz"
    gateway_mac = next(d.mac for d in report.data_of(DevicesData).devices if d.is_gateway)
    # the OUI table's name for the MAC, never the device's own "Apple, Inc."
    assert p["cohort"]["router_vendor"] == _vendor(oui.lookup(gateway_mac))
    assert {f["code"] for f in p["findings"]} == {"wifi.signal.weak", "dns.failing"}
    assert p["speeds"] == {
        "download_mbps": 93.5,
        "upload_mbps": 18.2,
        "latency_ms": None,
        "jitter_ms": None,
    }
    assert p["feedback_score"] == 2 and p["offer"] == {"shown": "mesh.upsell", "taken": None}
    assert p["devices"][0]["service_types"] == ["_airplay._tcp"]
    assert p["created_at"].endswith("12:30:00Z")
    assert p["public_network"] is None  # documentation prefix is not global


def test_same_check_same_upload_id_and_other_secret_differs() -> None:
    a = anonymize(simple_report(), SECRET).model_dump(mode="json")
    b = anonymize(simple_report(), SECRET).model_dump(mode="json")
    c = anonymize(simple_report(), b"z" * 32).model_dump(mode="json")
    assert a["upload_id"] == b["upload_id"] != c["upload_id"]
    assert a["installation_id"] != c["installation_id"]


def test_hash_mac_keeps_oui_but_not_for_random_macs() -> None:
    assert hash_mac(SECRET, "A4-83-E7-12-34-56").oui == "a4:83:e7"  # type: ignore[union-attr]
    assert hash_mac(SECRET, "da:83:e7:12:34:56").oui is None  # type: ignore[union-attr]
    assert hash_mac(SECRET, "not a mac") is None


def test_coarse_network() -> None:
    assert coarse_network("8.8.4.4") == "8.8.4.0/24"
    assert coarse_network("2a00:1450:4001:82a::200e") == "2a00:1450:4001::/48"
    assert coarse_network("192.168.1.1") is None
    assert coarse_network("garbage") is None


def test_scrub_keeps_known_words_only() -> None:
    assert scrub_text("Connection refused by 10.0.0.1:443") == "connection refused by [ip]"
    assert scrub_text("open /home/alice/x failed") == "[path] failed"
    assert scrub_text("resolve printer.lan failed: timed out") == "resolve [name] failed timed out"
    assert scrub_text("alice bob") is None
    assert scrub_text(None) is None


def test_committed_schema_matches_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_upload_schema()


def test_speed_probe_figures_and_plan() -> None:
    from homecare.models import Observation, ProbeStatus
    from homecare.models.connection import LatencyStats, LoadedLatency, SpeedData, SpeedDirection

    speed = SpeedData(
        engine="librespeed",
        server="http://10.9.8.7/backend",
        download=SpeedDirection(direction="download", mbit=88.456),
        upload=SpeedDirection(direction="upload", mbit=19.2),
        latency=[
            LoadedLatency(
                phase="idle",
                target="10.9.8.7",
                role="internet",
                method="icmp-raw",
                stats=LatencyStats(median_ms=12.5, jitter_ms=1.5),
            )
        ],
        plan_down_mbit=100.0,
        plan_up_mbit=20.0,
    )
    report = simple_report().model_copy(
        update={
            "observations": [
                Observation(probe="speed", area="speed", status=ProbeStatus.OK, data=speed)
            ]
        }
    )
    p = anonymize(report, SECRET, plan_tier="fiber-100").model_dump(mode="json")
    assert p["speeds"] == {
        "download_mbps": 88.46,
        "upload_mbps": 19.2,
        "latency_ms": 12.5,
        "jitter_ms": 1.5,
    }
    assert p["cohort"]["plan_down_mbps"] == 100.0 and p["cohort"]["plan_tier"] == "fiber-100"
    assert "10.9.8.7" not in json.dumps(p)
