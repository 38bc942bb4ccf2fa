"""The working-latency rule over the nq engine's responsiveness figures."""

from __future__ import annotations

from homecare.diagnose.base import RuleContext
from homecare.diagnose.speed_rules import BufferbloatRule, ResponsivenessRule
from homecare.models import Finding, Observation, ProbeStatus, Severity
from homecare.models.connection import (
    Confidence,
    Responsiveness,
    SpeedData,
    SpeedDirection,
)
from homecare.profiles.provider import ProviderProfile


def direction(name: str, rpm: float | None, confidence: Confidence = "high") -> SpeedDirection:
    return SpeedDirection(
        direction=name,  # type: ignore[arg-type]
        mbit=50.0,
        responsiveness=Responsiveness(rpm=rpm, confidence=confidence, goodput_confidence="high"),
    )


def evaluate(down: SpeedDirection | None, up: SpeedDirection | None) -> list[Finding]:
    data = SpeedData(engine="nq", server="http://nq", download=down, upload=up)
    obs = {
        "speed": Observation.model_construct(
            probe="speed", area="speed", status=ProbeStatus.OK, data=data
        )
    }
    return list(ResponsivenessRule().evaluate(RuleContext(observations=obs,
                                                          provider=ProviderProfile())))  # fmt: skip


def test_responsive_line_has_no_finding() -> None:
    assert evaluate(direction("download", 3000.0), direction("upload", 2500.0)) == []
    assert evaluate(None, None) == []
    assert evaluate(direction("download", None), None) == []


def test_the_worse_direction_is_named_and_graded() -> None:
    (warn,) = evaluate(direction("download", 3000.0), direction("upload", 250.0))
    assert warn.code == "latency.responsiveness.low" and warn.severity == Severity.WARNING
    assert warn.evidence["direction"] == "upload" and warn.evidence["rpm"] == 250.0
    assert "uploading" in warn.summary and "240 ms" in warn.summary
    (bad,) = evaluate(direction("download", 80.0), direction("upload", 250.0))
    assert bad.severity == Severity.PROBLEM and bad.evidence["direction"] == "download"


def test_low_confidence_is_not_acted_on_but_medium_is() -> None:
    assert evaluate(direction("download", 90.0, "low"), None) == []
    (f,) = evaluate(direction("download", 90.0, "medium"), None)
    assert f.evidence["confidence"] == "medium"


def test_thresholds_come_from_the_provider_profile() -> None:
    data = SpeedData(engine="nq", download=direction("download", 500.0))
    obs = {"speed": Observation.model_construct(probe="speed", area="speed",
                                                status=ProbeStatus.OK, data=data)}  # fmt: skip
    strict = ProviderProfile.model_validate({"quality": {"rpm_warn": 1000.0}})
    found = ResponsivenessRule().evaluate(RuleContext(observations=obs, provider=strict))
    assert [f.code for f in found] == ["latency.responsiveness.low"]


def _both_rules(rpm: float, bloat_ms: float) -> list[Finding]:
    data = SpeedData(engine="nq", download=direction("download", rpm), bufferbloat_ms=bloat_ms)
    obs = {"speed": Observation.model_construct(probe="speed", area="speed",
                                                status=ProbeStatus.OK, data=data)}  # fmt: skip
    ctx = RuleContext(observations=obs, provider=ProviderProfile())
    return [*BufferbloatRule().evaluate(ctx), *ResponsivenessRule().evaluate(ctx)]


def test_one_queue_is_one_finding() -> None:
    """Bufferbloat already names the queue: the RPM goes into its evidence."""
    q = ProviderProfile().quality
    (only,) = _both_rules(rpm=250.0, bloat_ms=q.bufferbloat_problem_ms + 10)
    assert only.code == "latency.bufferbloat" and only.evidence["responsiveness_rpm"] == 250.0


def test_a_graver_responsiveness_figure_still_speaks() -> None:
    """A mild rise under ping but a working latency the test calls a problem: both."""
    q = ProviderProfile().quality
    found = _both_rules(rpm=q.rpm_problem / 2, bloat_ms=q.bufferbloat_warn_ms + 1)
    assert {f.code for f in found} == {"latency.bufferbloat", "latency.responsiveness.low"}
    assert next(f for f in found if f.code == "latency.responsiveness.low").severity == (
        Severity.PROBLEM
    )
