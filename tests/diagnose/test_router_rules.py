"""Router rules: thresholds, naming by nickname, and what the verdict makes of them."""

from __future__ import annotations

from homecare.diagnose.base import RuleContext
from homecare.diagnose.router_rules import (
    ROUTER_RULES,
    LineQualityRule,
    RouterRebootedRule,
    SharedLineRule,
    SyncBelowPlanRule,
    WeakClientRule,
)
from homecare.diagnose.verdict import decide
from homecare.engine import remember
from homecare.models import Finding, Observation, ProbeStatus, Segment, Severity
from homecare.models.router import LineInfo, RouterClient, RouterData, SharedLine
from homecare.profiles.provider import ProviderProfile, SpeedSettings


def _ctx(data: RouterData, plan: float | None = 100.0) -> RuleContext:
    obs = Observation(probe="router", area="router", status=ProbeStatus.OK, data=data)
    return RuleContext(
        observations={"router": obs},
        provider=ProviderProfile(speed=SpeedSettings(plan_down_mbit=plan, plan_up_mbit=20)),
    )


def _codes(data: RouterData, plan: float | None = 100.0) -> set[str]:
    ctx = _ctx(data, plan)
    return {f.code for rule in ROUTER_RULES for f in rule.evaluate(ctx)}


def test_a_healthy_router_gives_nothing() -> None:
    data = RouterData(
        source="tr064",
        uptime_s=86400 * 3,
        line=LineInfo(type="dsl", sync_down_kbit=105000, noise_margin_down_db=9.0,
                      noise_margin_up_db=8.0, crc_errors=10, errored_seconds=3, retrains=1),
        clients=[RouterClient(mac="aa:bb:cc:dd:ee:01", wifi=True, signal_dbm=-60)],
    )  # fmt: skip
    assert _codes(data) == set()


def test_noise_margin_thresholds() -> None:
    rule = LineQualityRule()
    warn = rule.evaluate(_ctx(RouterData(source="tr064", line=LineInfo(noise_margin_down_db=5.5))))
    problem = rule.evaluate(_ctx(RouterData(source="tr064", line=LineInfo(noise_margin_up_db=2.0))))
    assert [f.severity for f in warn] == [Severity.WARNING]
    assert [f.severity for f in problem] == [Severity.PROBLEM]
    assert problem[0].segment == Segment.PROVIDER


def test_errors_are_judged_per_hour_of_uptime() -> None:
    rule = LineQualityRule()
    # 500 CRC errors in a week is a quiet line; in an hour it is not
    week = RouterData(source="tr064", uptime_s=7 * 86400, line=LineInfo(crc_errors=500))
    hour = RouterData(source="tr064", uptime_s=3600, line=LineInfo(crc_errors=500))
    assert rule.evaluate(_ctx(week)) == []
    assert [f.code for f in rule.evaluate(_ctx(hour))] == ["router.line.errors"]


def test_sync_below_plan_only_for_a_synced_line() -> None:
    rule = SyncBelowPlanRule()
    dsl = RouterData(source="igd", line=LineInfo(type="dsl", sync_down_kbit=50000))
    port = RouterData(source="igd", line=LineInfo(type="ethernet", sync_down_kbit=50000))
    assert [f.code for f in rule.evaluate(_ctx(dsl))] == ["router.line.sync_below_plan"]
    assert rule.evaluate(_ctx(port)) == []  # a 100 Mbit/s port is not a line's sync
    assert rule.evaluate(_ctx(dsl, plan=None)) == []


def _shared(other: float, total: float) -> RouterData:
    return RouterData(
        source="igd",
        during_speed_test=SharedLine(window_s=10, wan_down_mbit=total, wan_up_mbit=1,
                                     test_down_mbit=total - other, other_down_mbit=other,
                                     other_up_mbit=0),
        clients=[RouterClient(ip="192.168.1.30", hostname="kids-pc", down_bytes=90_000_000),
                 RouterClient(ip="192.168.1.31", hostname="tv", down_bytes=1_000)],
    )  # fmt: skip


def test_shared_line_needs_a_real_share() -> None:
    rule = SharedLineRule()
    assert rule.evaluate(_ctx(_shared(other=1.5, total=95))) == []  # headers and pings
    (finding,) = rule.evaluate(_ctx(_shared(other=30, total=95)))
    assert finding.evidence["top_users"] == ["kids-pc", "tv"]


def test_weak_client_is_named_by_the_persons_nickname() -> None:
    data = RouterData(
        source="local",
        clients=[
            RouterClient(mac="aa:bb:cc:dd:ee:02", hostname="cam-7731", wifi=True, signal_dbm=-84)
        ],
    )
    obs = Observation(probe="router", area="router", status=ProbeStatus.OK, data=data)
    named = remember(obs, {"aa:bb:cc:dd:ee:02": "Garden camera"}, None)
    assert isinstance(named.data, RouterData)
    ctx = RuleContext(observations={"router": named}, provider=ProviderProfile())
    (finding,) = WeakClientRule().evaluate(ctx)
    assert "Garden camera" in finding.summary and finding.segment == Segment.WIFI


def test_reboot_is_info_and_said_in_the_verdict() -> None:
    (finding,) = RouterRebootedRule().evaluate(_ctx(RouterData(source="tr064", uptime_s=600)))
    assert finding.severity == Severity.INFO
    verdict = decide([finding])
    assert verdict.healthy and finding.summary in verdict.evidence


def _finding(code: str, segment: Segment, severity: Severity = Severity.PROBLEM) -> Finding:
    return Finding(code=code, severity=severity, segment=segment, summary=code)


def test_a_shared_line_keeps_a_slow_speed_off_the_provider() -> None:
    slow = _finding("speed.below_plan", Segment.PROVIDER)
    shared = _finding("router.wan.shared_during_speed_test", Segment.LAN, Severity.WARNING)
    assert decide([slow]).segment == Segment.PROVIDER
    verdict = decide([slow, shared])
    assert verdict.segment == Segment.LAN
    assert any("shared" in line for line in verdict.evidence)


def test_line_faults_blame_the_provider() -> None:
    data = RouterData(
        source="tr064", line=LineInfo(type="dsl", noise_margin_down_db=2.0, retrains=6)
    )
    ctx = _ctx(data)
    findings = [f for rule in ROUTER_RULES for f in rule.evaluate(ctx)]
    assert decide(findings).segment == Segment.PROVIDER
