"""The host probe: the facts every other probe and rule builds on."""

from __future__ import annotations

import hashlib
import platform
import socket
from typing import Literal

from homecare.models import HostData, Interface, Route
from homecare.probes.base import ProbeContext
from homecare.probes.host.interfaces import read_interfaces
from homecare.probes.host.resolvers import configured_resolvers
from homecare.probes.host.routes import default_routes

ConnectionKind = Literal["wifi", "wired", "none", "unknown"]


class HostProbe:
    name = "host"
    area = "host"
    requires: tuple[str, ...] = ()
    timeout_s = 5.0

    def run(self, ctx: ProbeContext) -> HostData:
        interfaces = read_interfaces()
        routes = default_routes(timeout_s=min(2.0, ctx.remaining()))
        primary = pick_primary(interfaces, routes)
        return HostData(
            hostname_hash=hashlib.sha256(socket.gethostname().encode()).hexdigest()[:12],
            os=f"{platform.system()} {platform.release()}",
            interfaces=interfaces,
            default_routes=routes,
            resolvers=configured_resolvers(),
            primary_interface=primary.name if primary else None,
            connection=connection_kind(primary),
        )


def pick_primary(interfaces: list[Interface], routes: list[Route]) -> Interface | None:
    """The interface carrying the IPv4 default route, else the first usable one."""
    by_name = {i.name: i for i in interfaces}
    for route in sorted(routes, key=lambda r: r.family != "ipv4"):
        if route.interface in by_name:
            return by_name[route.interface]
    usable = [
        i
        for i in interfaces
        if i.kind != "loopback" and any(a.family == "ipv4" for a in i.addresses)
    ]
    if usable:
        return usable[0]
    physical = [i for i in interfaces if i.kind in ("wifi", "wired")]
    return physical[0] if physical else None


def connection_kind(primary: Interface | None) -> ConnectionKind:
    if primary is None:
        return "none"
    if primary.kind == "wifi":
        return "wifi"
    if primary.kind in ("wired", "virtual"):
        return "wired"
    return "unknown"
