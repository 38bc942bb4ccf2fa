"""Rules and verdict over crafted payloads, typed and as GenericData."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from homecare.diagnose.base import Rule, RuleContext
from homecare.diagnose.connectivity_rules import ReachabilityRule
from homecare.diagnose.quality_rules import QUALITY_RULES
from homecare.diagnose.speed_rules import SPEED_RULES
from homecare.diagnose.verdict import decide
from homecare.models import (
    Finding,
    GenericData,
    HostData,
    Observation,
    ProbeStatus,
    Route,
    Segment,
    Severity,
)
from homecare.models.connection import (
    CaptiveData,
    DnsQualityData,
    EngineAttempt,
    Ipv6Data,
    LatencyData,
    LatencySeries,
    LatencyStats,
    LoadedLatency,
    MtuData,
    ResolverQuality,
    SpeedData,
    SpeedDirection,
)
from homecare.probes.latency.stats import summarize
from homecare.profiles.provider import ProviderProfile

GW = "192.168.1.1"


def host(connection: str = "wired") -> HostData:
    return HostData(
        os="linux",
        default_routes=[Route(family="ipv4", gateway=GW)],
        connection=connection,  # type: ignore[arg-type]
    )


def observe(
    *payloads: BaseModel, generic: bool = False, on: str = "wired"
) -> dict[str, Observation]:
    out = {"host": Observation(probe="host", area="host", status=ProbeStatus.OK, data=host(on))}
    for i, p in enumerate(payloads):
        if generic:  # how the runner stores them until the report union names them
            out[f"p{i}"] = Observation(
                probe=f"p{i}",
                area="x",
                status=ProbeStatus.OK,
                data=GenericData(values=p.model_dump(mode="json")),
            )
        else:  # how they will be stored once wired: typed (construct skips the union check)
            out[f"p{i}"] = Observation.model_construct(probe=f"p{i}", area="x",
                                                       status=ProbeStatus.OK, data=p)  # fmt: skip
    return out


def evaluate(obs: dict[str, Observation], provider: ProviderProfile | None = None) -> list[Finding]:
    ctx = RuleContext(observations=obs, provider=provider or ProviderProfile())
    rules = (ReachabilityRule(), *QUALITY_RULES, *SPEED_RULES)
    return [f for rule in rules for f in rule.evaluate(ctx)]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def lat(role: str, loss_n: int = 0, rtts: list[float] | None = None, n: int = 100) -> LatencySeries:
    values = rtts if rtts is not None else [10.0] * (n - loss_n)
    return LatencySeries(
        target=GW if role == "gateway" else "203.0.113.10",
        role=role,  # type: ignore[arg-type]
        method="icmp-raw",
        stats=summarize(values, len(values) + loss_n),
    )


def test_rules_satisfy_the_protocol_and_list_their_codes() -> None:
    for rule in (*QUALITY_RULES, *SPEED_RULES):
        assert isinstance(rule, Rule)
        assert rule.codes


@pytest.mark.parametrize("generic", [False, True])
def test_internet_loss_blames_the_provider(generic: bool) -> None:
    # 10 % of 400: the 99 % Wilson interval (6.8-14.5 %, by hand) lies above 5 %
    data = LatencyData(series=[lat("gateway", n=400), lat("internet", loss_n=40, n=400)])
    found = evaluate(observe(data, generic=generic))
    assert codes(found) == {"internet.loss.sustained"}
    assert found[0].segment == Segment.PROVIDER and found[0].severity == Severity.PROBLEM
    assert found[0].evidence["loss_interval_pct"] == "6.8-14.5"


def test_three_percent_of_a_hundred_is_could_not_tell() -> None:
    # the report that started this: 3 of 100 lost is 0.6-11 %, either side of 2 %
    data = LatencyData(series=[lat("gateway"), lat("internet", loss_n=3)])
    found = evaluate(observe(data))
    assert codes(found) == {"internet.loss.unclear"}
    assert found[0].severity == Severity.INFO


def test_gateway_loss_blames_the_wifi_when_on_wifi() -> None:
    data = LatencyData(series=[lat("gateway", loss_n=30, n=500), lat("internet", loss_n=30, n=500)])
    found = evaluate(observe(data, on="wifi"))
    assert codes(found) == {"lan.loss.sustained"}
    assert found[0].segment == Segment.WIFI


def test_jitter_high_beyond_the_router() -> None:
    zigzag = [10.0, 80.0] * 50
    data = LatencyData(series=[lat("gateway"), lat("internet", rtts=zigzag)])
    found = evaluate(observe(data))
    assert codes(found) == {"internet.jitter.high"}
    assert found[0].evidence["jitter_ms"] == 70.0


def test_a_latency_check_alone_sees_a_dead_router() -> None:
    # `homecare check latency` with the router down measured 100 % loss and said
    # "healthy": the series alone is enough to say the router does not answer
    data = LatencyData(
        series=[lat("gateway", rtts=[], loss_n=100), lat("internet", rtts=[], loss_n=100)]
    )
    found = evaluate(observe(data))
    assert codes(found) == {"router.unreachable"}
    assert found[0].segment == Segment.ROUTER


def test_nxdomain_rewrite_and_slow_resolver() -> None:
    data = DnsQualityData(
        resolvers=[
            ResolverQuality(resolver=GW, queries=6, answered=6, median_ms=5.0),
            ResolverQuality(
                resolver="198.51.100.53", queries=6, answered=6, median_ms=400.0,
                nxdomain_rewrite=True, rewrite_name="x.invalid", rewrite_addresses=["1.2.3.4"],
            ),
        ]
    )  # fmt: skip
    found = {f.code: f for f in evaluate(observe(data, generic=True))}
    assert set(found) == {"dns.nxdomain_rewrite", "dns.resolver.slow"}
    assert found["dns.nxdomain_rewrite"].segment == Segment.PROVIDER
    assert found["dns.resolver.slow"].evidence["fastest"] == GW


def test_ipv6_mtu_captive() -> None:
    found = evaluate(
        observe(
            Ipv6Data(global_addresses=["2001:db8::2"], default_route=True, target="2001:db8::1",
                     reachable=False, error="timed out"),
            MtuData(target="x", method="icmp", path_mtu=1400, blackhole=True),
            CaptiveData(url="http://c/generate_204", expected_status=204, status=302,
                        location=f"http://{GW}:8080/login", captive=True),
        )
    )  # fmt: skip
    by = {f.code: f for f in found}
    assert set(by) == {"ipv6.broken", "mtu.blackhole", "captive.portal"}
    assert by["captive.portal"].segment == Segment.ROUTER
    assert by["ipv6.broken"].segment == Segment.PROVIDER
    assert decide(found).segment == Segment.ROUTER


def test_ipv6_not_configured_is_not_broken() -> None:
    assert evaluate(observe(Ipv6Data())) == []


def speed(down: float | None, up: float | None, bloat: float | None = 5.0) -> SpeedData:
    return SpeedData(
        engine="librespeed",
        download=None if down is None else SpeedDirection(direction="download", mbit=down),
        upload=None if up is None else SpeedDirection(direction="upload", mbit=up),
        bufferbloat_ms=bloat,
        bufferbloat_grade="A" if (bloat or 0) < 30 else "D",
        rpm=3000.0,
        plan_down_mbit=100.0,
        plan_up_mbit=20.0,
    )


def test_speed_below_plan_wired_and_on_wifi() -> None:
    wired = evaluate(observe(speed(40.0, 19.0)))
    assert codes(wired) == {"speed.below_plan"}
    assert wired[0].evidence["download_pct_of_plan"] == 40.0
    wifi = evaluate(observe(speed(40.0, 19.0), on="wifi"))
    assert codes(wifi) == {"speed.slow_wifi_limited"} and wifi[0].segment == Segment.WIFI
    assert evaluate(observe(speed(95.0, 19.0))) == []


def test_bufferbloat_grades_severity() -> None:
    assert codes(evaluate(observe(speed(95.0, 19.0, bloat=20.0)))) == set()
    warn = evaluate(observe(speed(95.0, 19.0, bloat=50.0)))
    assert codes(warn) == {"latency.bufferbloat"} and warn[0].severity == Severity.WARNING
    bad = evaluate(observe(speed(95.0, 19.0, bloat=180.0)))
    assert bad[0].severity == Severity.PROBLEM and bad[0].segment == Segment.ROUTER


def test_engines_failed_is_info_with_the_reasons() -> None:
    data = SpeedData(attempts=[EngineAttempt(engine="librespeed", ok=False, error="HTTP 403")])
    found = evaluate(observe(data))
    assert codes(found) == {"speed.engine.failed"}
    assert found[0].severity == Severity.INFO
    assert "HTTP 403" in found[0].evidence["errors"][0]
    failed = {"speed": Observation(probe="speed", area="speed", status=ProbeStatus.TIMEOUT,
                                   message="No answer")}  # fmt: skip
    assert codes(evaluate(failed)) == {"speed.engine.failed"}


def test_verdict_compares_speed_with_plan_and_keeps_old_signature() -> None:
    obs = observe(speed(50.0, 19.0), generic=True)
    findings = evaluate(obs)
    v = decide(findings, obs.values(), ProviderProfile())
    assert v.segment == Segment.PROVIDER
    assert any("50% of the 100 Mbit/s plan" in e for e in v.evidence)
    assert decide(findings).segment == Segment.PROVIDER  # existing callers
    healthy = decide([], observe(speed(99.0, 19.0)).values())
    assert healthy.healthy and any("99.0 Mbit/s" in e for e in healthy.evidence)


def test_verdict_prefers_the_nearest_segment_and_corroborates() -> None:
    def f(code: str, sev: Severity, seg: Segment) -> Finding:
        return Finding(code=code, severity=sev, segment=seg, summary=code)

    v = decide([f("a.b", Severity.PROBLEM, Segment.PROVIDER), f("c.d", Severity.PROBLEM, Segment.WIFI),
                f("e.f", Severity.WARNING, Segment.WIFI)])  # fmt: skip
    assert v.segment == Segment.WIFI and v.evidence == ["c.d", "e.f"]


def test_stats_model_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        LatencyStats(loss=1.5)


def loaded(phase: str, increase: float) -> LoadedLatency:
    return LoadedLatency(
        phase=phase,  # type: ignore[arg-type]
        target="203.0.113.10",
        role="internet",
        method="icmp-raw",
        stats=summarize([10.0 + increase] * 50, 50),
        increase_ms=increase,
    )


@pytest.mark.parametrize(
    ("down", "up", "says"),
    [
        (120.0, 3.0, "while downloading"),
        (2.0, 150.0, "while uploading"),
        (90.0, 150.0, "90 ms while downloading and 150 ms while uploading"),
    ],
)
def test_bufferbloat_names_the_direction_whose_queue_fills(
    down: float, up: float, says: str
) -> None:
    data = speed(95.0, 19.0, bloat=max(down, up))
    data.latency = [loaded("download", down), loaded("upload", up)]
    [finding] = evaluate(observe(data))
    assert says in finding.summary
    assert finding.evidence["download_increase_ms"] == down
    assert finding.evidence["upload_increase_ms"] == up
    # flat evidence: nothing an expert would see as a raw dict
    assert not any(isinstance(v, dict) for v in finding.evidence.values())
