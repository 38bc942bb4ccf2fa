"""A plugin whose probes return canned observations, so `check` runs end to
end in-process without sending a single packet."""

from __future__ import annotations

from pydantic import BaseModel

from homecare.hookspecs import hookimpl
from homecare.models import (
    DnsData,
    DnsLookup,
    HostData,
    Interface,
    InterfaceAddress,
    PingResult,
    ReachabilityData,
    Route,
)
from homecare.probes.base import Probe, ProbeContext

GATEWAY = "192.168.1.1"
SCENARIO: dict[str, BaseModel] = {}


def host() -> HostData:
    return HostData(
        os="Linux test",
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


def ping(role: str, target: str, rtt: float | None, sent: int = 10) -> PingResult:
    received = 0 if rtt is None else sent
    return PingResult(
        target=target,
        role=role,  # type: ignore[arg-type]
        method="icmp-raw",
        sent=sent,
        received=received,
        rtts_ms=[] if rtt is None else [rtt] * received,
        error=None if received else "timed out",
    )


def reach(gw_rtt: float | None = 2.0, inet_rtt: float | None = 20.0) -> ReachabilityData:
    return ReachabilityData(
        pings=[
            ping("gateway", GATEWAY, gw_rtt),
            ping("internet", "192.0.2.10", inet_rtt),
            ping("internet", "198.51.100.10", inet_rtt),
        ]
    )


def dns(ok: bool = True, ms: float = 20.0) -> DnsData:
    return DnsData(
        lookups=[
            DnsLookup(
                name="example.com",
                resolver=None,
                ok=ok,
                addresses=["192.0.2.80"] if ok else [],
                elapsed_ms=ms,
                error=None if ok else "SERVFAIL",
            )
        ]
    )


def set_scenario(
    gw_rtt: float | None = 2.0,
    inet_rtt: float | None = 20.0,
    dns_ok: bool = True,
    dns_ms: float = 20.0,
) -> None:
    SCENARIO.clear()
    SCENARIO.update(host=host(), reachability=reach(gw_rtt, inet_rtt), dns=dns(dns_ok, dns_ms))


class CannedProbe:
    requires: tuple[str, ...] = ()
    timeout_s = 5.0

    def __init__(self, name: str, area: str) -> None:
        self.name = name
        self.area = area

    def run(self, ctx: ProbeContext) -> BaseModel:
        return SCENARIO[self.name]


@hookimpl
def homecare_probes() -> list[Probe]:
    return [
        CannedProbe("host", "host"),
        CannedProbe("reachability", "connectivity"),
        CannedProbe("dns", "dns"),
    ]
