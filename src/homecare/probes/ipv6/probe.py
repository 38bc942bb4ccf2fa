"""IPv6: does this device have a global address and a v6 default route, and
does a v6 target answer? "Has an address but cannot reach anything" is the
broken case: apps try IPv6 first and stall before falling back."""

from __future__ import annotations

import ipaddress
import socket
import time

from homecare.i18n import _
from homecare.models import HostData
from homecare.models.connection import Ipv6Data
from homecare.probes.base import ProbeContext


def global_v6(host: HostData | None) -> list[str]:
    out: list[str] = []
    for iface in host.interfaces if host else []:
        for a in iface.addresses:
            if a.family != "ipv6":
                continue
            try:
                ip = ipaddress.IPv6Address(a.address.split("%")[0])
            except ValueError:
                continue
            if ip.is_global or (ip in ipaddress.IPv6Network("2000::/3") and not ip.is_private):
                out.append(str(ip))
    return out


def tcp6_rtt(target: str, port: int, timeout_s: float) -> tuple[bool, float | None, str | None]:
    """One TCP connect over IPv6; a refusal still proves reachability."""
    started = time.monotonic()
    try:
        infos = socket.getaddrinfo(target, port, socket.AF_INET6, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        return False, None, str(exc)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(infos[0][4])
    except ConnectionRefusedError:
        pass
    except OSError as exc:
        return False, None, exc.strerror or type(exc).__name__
    finally:
        sock.close()
    return True, round((time.monotonic() - started) * 1000, 3), None


class Ipv6Probe:
    name = "ipv6"
    area = "ipv6"
    requires: tuple[str, ...] = ("host",)
    #: run beside it in a targeted check, so a dead router is not blamed elsewhere
    supporting: tuple[str, ...] = ("reachability",)
    timeout_s = 5.0

    def run(self, ctx: ProbeContext) -> Ipv6Data:
        host_obs = ctx.results.get("host")
        host = host_obs.data if host_obs and isinstance(host_obs.data, HostData) else None
        data = Ipv6Data(
            global_addresses=global_v6(host),
            default_route=bool(host and any(r.family == "ipv6" for r in host.default_routes)),
            target=ctx.provider.quality.ipv6_target,
        )
        if data.target is None:
            return data
        if not data.global_addresses and not data.default_route:
            data.error = _("This device has no IPv6 internet address.")
            return data
        timeout = max(0.3, min(3.0, ctx.remaining() - 0.2))
        data.reachable, data.rtt_ms, data.error = tcp6_rtt(
            data.target, ctx.provider.targets.tcp_port, timeout
        )
        return data
