"""Hand-built payloads and reports, so no test needs the real host or network."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from homecare.advise.catalogue import Catalogue
from homecare.advise.guidance import build_guidance
from homecare.diagnose.verdict import decide
from homecare.models import (
    DnsData,
    DnsLookup,
    Finding,
    HostData,
    Interface,
    InterfaceAddress,
    Observation,
    PingResult,
    ProbeStatus,
    ReachabilityData,
    Report,
    Route,
    Segment,
    Severity,
)

GATEWAY = "192.168.1.1"
ALL = -1  # every ping answered


def host(
    *,
    up: bool = True,
    ipv4: bool = True,
    gateway: str | None = GATEWAY,
    resolvers: tuple[str, ...] = (GATEWAY,),
    connection: str = "wired",
) -> HostData:
    addresses = (
        [InterfaceAddress(family="ipv4", address="192.168.1.20", prefix_len=24)] if ipv4 else []
    )
    kind: Literal["wifi", "wired"] = "wifi" if connection == "wifi" else "wired"
    name = "wlan0" if kind == "wifi" else "eth0"
    return HostData(
        os="Linux test",
        interfaces=[
            Interface(
                name="lo",
                kind="loopback",
                is_up=True,
                addresses=[InterfaceAddress(family="ipv4", address="127.0.0.1", prefix_len=8)],
            ),
            Interface(name=name, kind=kind, is_up=up, addresses=addresses),
        ],
        default_routes=[Route(family="ipv4", gateway=gateway, interface=name)] if gateway else [],
        resolvers=list(resolvers),
        primary_interface=name,
        connection=connection,  # type: ignore[arg-type]
    )


def ping(
    role: str,
    target: str,
    *,
    sent: int = 10,
    received: int = 10,
    rtt: float = 5.0,
) -> PingResult:
    return PingResult(
        target=target,
        role=role,  # type: ignore[arg-type]
        method="icmp-raw",
        sent=sent,
        received=received,
        rtts_ms=[rtt] * received,
        error=None if received else "timed out",
    )


def reach(
    *,
    gw_received: int | None = ALL,
    inet_received: int = ALL,
    gw_rtt: float = 2.0,
    inet_rtt: float = 20.0,
    sent: int = 10,
) -> ReachabilityData:
    if gw_received == ALL:
        gw_received = sent
    if inet_received == ALL:
        inet_received = sent
    pings = []
    if gw_received is not None:
        pings.append(ping("gateway", GATEWAY, sent=sent, received=gw_received, rtt=gw_rtt))
    pings.append(ping("internet", "1.1.1.1", sent=sent, received=inet_received, rtt=inet_rtt))
    pings.append(ping("internet", "8.8.8.8", sent=sent, received=inet_received, rtt=inet_rtt))
    return ReachabilityData(pings=pings)


def lookup(
    ok: bool = True, resolver: str | None = None, ms: float = 20.0, timed_out: bool = False
) -> DnsLookup:
    return DnsLookup(
        name="example.com",
        resolver=resolver,
        ok=ok,
        addresses=["93.184.215.14"] if ok else [],
        elapsed_ms=ms,
        error=None if ok else ("No answer (timed out)" if timed_out else "SERVFAIL"),
        timed_out=timed_out and not ok,
    )


def dns(*lookups: DnsLookup) -> DnsData:
    return DnsData(lookups=list(lookups) or [lookup()])


def obs(name: str, area: str, data: object) -> Observation:
    return Observation(probe=name, area=area, status=ProbeStatus.OK, data=data)  # type: ignore[arg-type]


def observations(
    h: HostData | None = None, r: ReachabilityData | None = None, d: DnsData | None = None
) -> dict[str, Observation]:
    out: dict[str, Observation] = {}
    if h is not None:
        out["host"] = obs("host", "host", h)
    if r is not None:
        out["reachability"] = obs("reachability", "connectivity", r)
    if d is not None:
        out["dns"] = obs("dns", "dns", d)
    return out


def sample_report(skill: str = "expert", findings: list[Finding] | None = None) -> Report:
    """A report with several findings, guidance from the shipped catalogue and long text."""
    if findings is None:
        findings = [
            Finding(
                code="dns.failing",
                severity=Severity.CRITICAL,
                segment=Segment.ROUTER,
                summary="Websites cannot be found by name, although the internet answers.",
                evidence={
                    "names": ["example.com", "a-very-long-name-that-needs-wrapping.example.org"],
                    "resolvers": [GATEWAY],
                    "errors": ["No answer (timed out) after waiting a rather long time indeed"],
                },
            ),
            Finding(
                code="lan.latency.high",
                severity=Severity.WARNING,
                segment=Segment.LAN,
                summary="Your router takes 80 ms to answer, which is slow.",
                evidence={"target": GATEWAY, "median_ms": 80.0, "loss_pct": 0.0},
            ),
            Finding(
                code="device.busy",
                severity=Severity.INFO,
                segment=Segment.DEVICE,
                summary="Just a note.",
                evidence={"cpu": 0.5},
            ),
        ]
    guidance = build_guidance(findings, Catalogue.load(), "en", skill)
    observations_ = [
        obs("host", "host", host()),
        obs("reachability", "connectivity", reach(gw_rtt=80.0)),
        obs("dns", "dns", dns(lookup(ok=False))),
        Observation(probe="wifi", area="wifi", status=ProbeStatus.SKIPPED, message="no adapter"),
        Observation(probe="slow", area="x", status=ProbeStatus.TIMEOUT, message="No answer"),
    ]
    return Report(
        id="0123456789abcdef0123456789abcdef",
        created_at=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        homecare_version="0.1.0",
        areas=["connectivity", "dns", "host"],
        observations=observations_,
        findings=findings,
        guidance=guidance,
        verdict=decide(findings),
    )
