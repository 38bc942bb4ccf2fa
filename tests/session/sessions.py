"""Hand-built reports and sessions for the session tests (no probe runs)."""

from __future__ import annotations

from datetime import UTC, datetime

from homecare.models import (
    DnsData,
    DnsLookup,
    Finding,
    Observation,
    ProbeStatus,
    Report,
    Segment,
    Severity,
    Verdict,
    WifiData,
    WifiLink,
)
from homecare.models.connection import (
    LatencyData,
    LatencySeries,
    LatencyStats,
    SpeedData,
    SpeedDirection,
)
from homecare.models.session import Session, SessionState, StepResult, StepStatus
from homecare.session.judge import judge_step
from homecare.session.plan import Plan, expand

WHEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def report(
    *,
    down: float | None = 95.0,
    up: float | None = 19.0,
    grade: str | None = "A",
    signal: int | None = -55,
    dns_ok: bool = True,
    gateway_loss: float = 0.0,
    summary: str = "All good",
) -> Report:
    obs = [
        Observation(
            probe="speed",
            area="speed",
            status=ProbeStatus.OK,
            data=SpeedData(
                engine="librespeed",
                download=SpeedDirection(direction="download", mbit=down)
                if down is not None
                else None,
                upload=SpeedDirection(direction="upload", mbit=up) if up is not None else None,
                bufferbloat_grade=grade,  # type: ignore[arg-type]
            ),
        ),
        Observation(
            probe="wifi",
            area="wifi",
            status=ProbeStatus.OK,
            data=WifiData(
                source="iw", link=WifiLink(connected=True, signal_dbm=signal, ssid="Home-5G")
            ),
        ),
        Observation(
            probe="dns",
            area="dns",
            status=ProbeStatus.OK,
            data=DnsData(
                lookups=[
                    DnsLookup(name="example.com", ok=dns_ok, elapsed_ms=12.0 if dns_ok else 3000.0)
                ]
            ),
        ),
        Observation(
            probe="latency",
            area="latency",
            status=ProbeStatus.OK,
            data=LatencyData(
                series=[
                    LatencySeries(
                        target="192.168.1.1",
                        role="gateway",
                        method="icmp-raw",
                        stats=LatencyStats(
                            sent=100,
                            received=int(100 - gateway_loss),
                            loss=gateway_loss / 100,
                            median_ms=1.2,
                        ),
                    ),
                    LatencySeries(
                        target="1.1.1.1",
                        role="internet",
                        method="icmp-raw",
                        stats=LatencyStats(sent=100, received=100, median_ms=12.0),
                    ),
                ]
            ),
        ),
    ]
    findings = (
        []
        if dns_ok
        else [
            Finding(
                code="dns.failing",
                severity=Severity.CRITICAL,
                segment=Segment.ROUTER,
                summary=summary,
            )
        ]
    )
    return Report(
        id="r" + str(abs(hash((down, up, signal, dns_ok))) % 10**8),
        created_at=WHEN,
        homecare_version="0.1.0",
        areas=["dns", "latency", "speed", "wifi"],
        observations=obs,
        findings=findings,
        verdict=Verdict(healthy=dns_ok, summary=summary),
    )  # fmt: skip


PLAN = Plan.model_validate(
    {
        "id": "test-plan",
        "version": "1",
        "title": "Test plan",
        "default_rooms": ["kitchen"],
        "steps": [
            {"id": "dns", "title": "Names", "run": ["dns"],
             "expect": {"dns.answered": {"pass": True}, "dns.lookup_ms": {"pass": "< 50"}}},
            {"id": "room", "title": "Room", "run": ["wifi", "speed"], "per_room": True,
             "expect": {"wifi.signal_dbm": {"pass": ">= -67", "warn": ">= -75"},
                        "speed.download_mbit": {"pass": ">= 0.9 plan", "warn": ">= 0.7 plan"},
                        "speed.bufferbloat_grade": {"pass": ">= B"}}},
        ],
    }
)  # fmt: skip
RATES = {"down": 100.0, "up": 20.0}


def session(
    rooms: tuple[str, ...] = ("kitchen", "bedroom"),
    session_id: str = "a" * 32,
    job: str = "JOB-1",
    fixes: tuple[str, ...] = (),
    **report_args: object,
) -> Session:
    steps = []
    for planned in expand(PLAN, rooms):
        r = report(**report_args)  # type: ignore[arg-type]
        status, metrics = judge_step(planned.step, r, RATES)
        steps.append(StepResult(key=planned.key, step_id=planned.step.id, title=planned.step.title,
                                room=planned.room, status=status, started_at=WHEN,
                                finished_at=WHEN, metrics=metrics, report=r))  # fmt: skip
    return Session(
        id=session_id, job_id=job, plan_id=PLAN.id, plan_version=PLAN.version,
        plan_title=PLAN.title, created_at=WHEN, finished_at=WHEN, state=SessionState.FINISHED,
        homecare_version="0.1.0", rooms=list(rooms), fixes=list(fixes), steps=steps,
    )  # fmt: skip


__all__ = ["PLAN", "RATES", "StepStatus", "report", "session"]
