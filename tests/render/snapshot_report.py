"""Fixed reports for the console snapshots: the real rules, verdict and
catalogue over hand-made observations, so the snapshots change only when
what a person reads changes (never with the network or the clock)."""

from __future__ import annotations

from datetime import UTC, datetime

from homecare.advise.catalogue import Catalogue
from homecare.advise.guidance import build_guidance, command_values
from homecare.diagnose.verdict import decide
from homecare.engine import diagnose
from homecare.i18n import activate
from homecare.models import (
    Device,
    DevicesData,
    DnsData,
    DnsLookup,
    HostData,
    Interface,
    InterfaceAddress,
    Observation,
    PingResult,
    ProbeStatus,
    ReachabilityData,
    Report,
    Route,
)
from homecare.models.connection import (
    LatencyData,
    LatencySeries,
    LoadedLatency,
    Role,
    SpeedData,
    SpeedDirection,
)
from homecare.plugins import get_plugin_manager
from homecare.probes.latency.stats import summarize
from homecare.profiles.provider import ProviderProfile, SupportContact

GATEWAY = "192.168.1.1"
INTERNET = "203.0.113.10"
WHEN = datetime(2026, 11, 30, 18, 45, tzinfo=UTC)


def _host() -> HostData:
    return HostData(
        os="Linux 6.1",
        interfaces=[
            Interface(
                name="eth0",
                kind="wired",
                is_up=True,
                addresses=[InterfaceAddress(family="ipv4", address="192.168.1.20", prefix_len=24)],
            )
        ],
        default_routes=[Route(family="ipv4", gateway=GATEWAY, interface="eth0")],
        resolvers=[GATEWAY],
        primary_interface="eth0",
        connection="wired",
    )


def _ok(probe: str, area: str, data: object) -> Observation:
    return Observation(probe=probe, area=area, status=ProbeStatus.OK, data=data)  # type: ignore[arg-type]


def _series(target: str, role: Role, rtts: list[float], sent: int) -> LatencySeries:
    return LatencySeries(target=target, role=role, method="icmp-raw", stats=summarize(rtts, sent))


def _present() -> list[Device]:
    return [
        Device(
            key="00:1a:2b:3c:4d:5e",
            ipv4=[GATEWAY],
            vendor="AVM GmbH",
            hostname="fritz.box",
            type="router",
            is_gateway=True,
        ),
        Device(
            key="3c:22:fb:01:02:03",
            ipv4=["192.168.1.20"],
            vendor="Apple, Inc.",
            hostname="homecare-laptop",
            type="computer",
            is_self=True,
        ),
    ]


def fault_observations() -> list[Observation]:
    """DNS failing at the router, a slow router, a missing named TV, Wi-Fi skipped."""
    gw_rtts = [44.0 + (i % 5) for i in range(350)]
    inet_rtts = [61.0 + (i % 7) for i in range(350)]
    tv = Device(
        key="a4:5e:60:11:22:33",
        ipv4=["192.168.1.40"],
        nickname="Living room TV",
        vendor="LG Electronics",
        type="tv",
    )
    return [
        _ok("host", "host", _host()),
        _ok(
            "reachability",
            "connectivity",
            ReachabilityData(
                pings=[
                    PingResult(
                        target=GATEWAY,
                        role="gateway",
                        method="icmp-raw",
                        sent=5,
                        received=5,
                        rtts_ms=[45.0, 46.0, 44.0, 47.0, 45.0],
                    ),
                    PingResult(
                        target=INTERNET,
                        role="internet",
                        method="icmp-raw",
                        sent=5,
                        received=3,
                        rtts_ms=[62.0, 63.0, 61.0],
                    ),
                ]
            ),
        ),
        _ok(
            "latency",
            "latency",
            LatencyData(
                interval_ms=20.0,
                series=[
                    _series(GATEWAY, "gateway", gw_rtts, 350),
                    _series(INTERNET, "internet", inet_rtts, 350),
                ],
            ),
        ),
        _ok(
            "dns",
            "dns",
            DnsData(
                lookups=[
                    DnsLookup(name="example.com", ok=False, elapsed_ms=1000.0, error="SERVFAIL"),
                    DnsLookup(
                        name="example.com",
                        resolver="198.51.100.53",
                        ok=True,
                        addresses=["93.184.215.14"],
                        elapsed_ms=18.0,
                    ),
                ]
            ),
        ),
        _ok(
            "devices",
            "devices",
            DevicesData(
                method="arp-sweep",
                devices=_present(),
                missing_since_last=[tv.key],
                missing_devices=[tv],
            ),
        ),
        Observation(
            probe="wifi", area="wifi", status=ProbeStatus.SKIPPED, message="no Wi-Fi adapter"
        ),
    ]


def tip_observations() -> list[Observation]:
    """A working line whose upload queue fills: a tip, not a fault."""
    idle = _series(INTERNET, "internet", [12.0 + (i % 3) for i in range(350)], 350)
    loaded = [
        LoadedLatency(
            phase=phase,  # type: ignore[arg-type]
            target=INTERNET,
            role="internet",
            method="icmp-raw",
            stats=summarize([12.0 + inc] * 60, 60),
            increase_ms=inc,
        )
        for phase, inc in (("download", 8.0), ("upload", 85.0))
    ]
    speed = SpeedData(
        engine="librespeed",
        server="speed.example.net",
        bytes_used=180_000_000,
        download=SpeedDirection(direction="download", mbit=96.4),
        upload=SpeedDirection(direction="upload", mbit=38.9),
        latency=loaded,
        bufferbloat_ms=85.0,
        bufferbloat_grade="C",
        rpm=619.0,
        plan_down_mbit=100.0,
        plan_up_mbit=40.0,
    )
    return [
        _ok("host", "host", _host()),
        _ok(
            "reachability",
            "connectivity",
            ReachabilityData(
                pings=[
                    PingResult(
                        target=GATEWAY,
                        role="gateway",
                        method="icmp-raw",
                        sent=5,
                        received=5,
                        rtts_ms=[1.1, 1.2, 1.0, 1.1, 1.3],
                    ),
                    PingResult(
                        target=INTERNET,
                        role="internet",
                        method="icmp-raw",
                        sent=5,
                        received=5,
                        rtts_ms=[12.0, 13.0, 12.0, 14.0, 12.0],
                    ),
                ]
            ),
        ),
        _ok(
            "latency",
            "latency",
            LatencyData(
                interval_ms=20.0,
                series=[
                    _series(GATEWAY, "gateway", [1.0 + (i % 3) / 10 for i in range(350)], 350),
                    idle,
                ],
            ),
        ),
        _ok("speed", "speed", speed),
    ]


PROVIDER = ProviderProfile(name="Example ISP", support=SupportContact(phone="+1 555 0100"))


def fixed_report(kind: str, language: str) -> Report:
    """The 'fault' or 'tip' report, with summaries and advice in *language*."""
    activate(language)
    try:
        observations = fault_observations() if kind == "fault" else tip_observations()
        pm = get_plugin_manager(load_entry_points=False)
        findings = diagnose(observations, pm, PROVIDER)
        guidance = build_guidance(
            findings,
            Catalogue.load(),
            language,
            "beginner",
            support_phone=PROVIDER.support.phone,
            values=command_values(observations),
        )
        areas = sorted({o.area for o in observations})
        return Report(
            id=("f" if kind == "fault" else "7") * 8 + "0" * 24,
            created_at=WHEN,
            homecare_version="0.1.0",
            areas=areas,
            language=language,
            provider=PROVIDER.name,
            privileged=True,
            observations=observations,
            findings=findings,
            guidance=guidance,
            verdict=decide(findings, observations, PROVIDER, areas=areas),
        )
    finally:
        activate("en")
