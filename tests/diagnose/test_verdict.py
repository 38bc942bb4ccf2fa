"""The verdict: a fault outweighs tips, severity before proximity, healthy only about
what was measured."""

from __future__ import annotations

from homecare.diagnose.verdict import decide, probe_label
from homecare.models import Finding, Observation, ProbeStatus, Segment, Severity


def finding(code: str, severity: Severity, segment: Segment) -> Finding:
    return Finding(code=code, severity=severity, segment=segment, summary=code)


def obs(
    probe: str, area: str, status: ProbeStatus = ProbeStatus.OK, msg: str | None = None
) -> Observation:
    return Observation(probe=probe, area=area, status=status, message=msg)


def test_a_warning_alone_is_a_tip_not_a_fault() -> None:
    v = decide([finding("latency.bufferbloat", Severity.WARNING, Segment.ROUTER)])
    assert v.severity is Severity.WARNING and v.segment is Segment.ROUTER
    assert v.summary == "It works, but the router could be better."
    assert "problem" not in v.summary


def test_severity_before_proximity() -> None:
    v = decide(
        [
            finding("latency.bufferbloat", Severity.WARNING, Segment.ROUTER),
            finding("speed.below_plan", Severity.PROBLEM, Segment.PROVIDER),
        ]
    )
    assert v.segment is Segment.PROVIDER and v.severity is Severity.PROBLEM
    assert v.summary == "The problem is most likely in the provider."


def test_two_provider_tips_outweigh_one_router_tip() -> None:
    v = decide(
        [
            finding("dns.slow", Severity.WARNING, Segment.PROVIDER),
            finding("internet.jitter.high", Severity.WARNING, Segment.PROVIDER),
            finding("latency.bufferbloat", Severity.WARNING, Segment.ROUTER),
        ]
    )
    assert v.segment is Segment.PROVIDER


def test_a_tie_goes_to_the_segment_nearest_the_user() -> None:
    v = decide(
        [
            finding("router.unreachable", Severity.CRITICAL, Segment.WIFI),
            finding("provider.no_internet", Severity.CRITICAL, Segment.PROVIDER),
        ]
    )
    assert v.segment is Segment.WIFI


def test_healthy_names_what_could_not_be_measured() -> None:
    v = decide(
        [],
        [obs("host", "host"), obs("speed", "speed", ProbeStatus.SKIPPED, "no server answered")],
        areas=["host", "speed"],
    )
    assert v.healthy is False and v.segment is None
    assert v.summary.startswith("Could not tell")
    assert v.evidence == ["Not measured: speed test (no server answered)."]


def test_healthy_with_a_skipped_side_probe_says_so() -> None:
    v = decide(
        [],
        [obs("latency", "latency"), obs("wifi", "wifi", ProbeStatus.SKIPPED, "no Wi-Fi adapter")],
        areas=["latency", "wifi"],
    )
    assert v.healthy is True
    assert v.summary == "Everything we checked looks healthy."  # nothing to do without Wi-Fi
    assert "Not measured: Wi-Fi (no Wi-Fi adapter)." in v.evidence
    failed = decide(
        [],
        [obs("latency", "latency"), obs("dns", "dns", ProbeStatus.TIMEOUT, "no answer in 10 s")],
        areas=["latency", "dns"],
    )
    assert failed.healthy is True
    assert "some of it could not be checked" in failed.summary


def test_probe_labels_are_words_not_code_names() -> None:
    for name in ("captive", "dns_quality", "host_load", "mtu"):
        assert "_" not in probe_label(name) and probe_label(name) != name
