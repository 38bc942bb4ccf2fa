"""The published schema is the models' schema, and reports validate against it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from homecare.models import (
    DnsData,
    DnsLookup,
    Finding,
    HostData,
    Observation,
    PingResult,
    ProbeStatus,
    ReachabilityData,
    Report,
    Segment,
    Severity,
    Verdict,
)
from homecare.schema import render_schema, report_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "report-v1.json"


def test_committed_schema_matches_models() -> None:
    assert SCHEMA_FILE.read_text() == render_schema(), (
        "schema/report-v1.json is stale: run "
        "`python -m homecare.schema > schema/report-v1.json` and review the diff"
    )


def _sample() -> Report:
    return Report(
        id="abc123",
        created_at=datetime(2026, 11, 23, tzinfo=UTC),
        homecare_version="0.1.0",
        areas=["connectivity", "dns"],
        observations=[
            Observation(
                probe="host",
                area="host",
                status=ProbeStatus.OK,
                data=HostData(os="Linux", resolvers=["192.168.1.1"], connection="wired"),
            ),
            Observation(
                probe="reachability",
                area="connectivity",
                status=ProbeStatus.OK,
                data=ReachabilityData(
                    pings=[
                        PingResult(
                            target="192.168.1.1",
                            role="gateway",
                            method="icmp-raw",
                            sent=3,
                            received=3,
                            rtts_ms=[1.0, 1.2, 0.9],
                        )
                    ]
                ),
            ),
            Observation(
                probe="dns",
                area="dns",
                status=ProbeStatus.OK,
                data=DnsData(lookups=[DnsLookup(name="example.com", ok=False, elapsed_ms=3000)]),
            ),
            Observation(probe="wifi", area="wifi", status=ProbeStatus.TIMEOUT, message="slow"),
        ],
        findings=[
            Finding(
                code="dns.failing",
                severity=Severity.CRITICAL,
                segment=Segment.ROUTER,
                summary="Names fail",
                evidence={"names": ["example.com"]},
            )
        ],
        verdict=Verdict(segment=Segment.ROUTER, healthy=False, summary="Router"),
    )


def test_report_json_validates_against_committed_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(_sample().model_dump_json()), schema)


def test_schema_rejects_unknown_fields_and_bad_codes() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    doc = json.loads(_sample().model_dump_json())
    doc["surprise"] = 1
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid(doc)
    doc = json.loads(_sample().model_dump_json())
    doc["findings"][0]["code"] = "Not A Code"
    assert not validator.is_valid(doc)


def test_schema_is_versioned() -> None:
    assert report_schema()["properties"]["schema_version"]["const"] == 1
