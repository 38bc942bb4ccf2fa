"""Default routes, read without needing root or extra packages.

Linux exposes them in /proc; elsewhere ``netstat -rn`` is the common ground.
Parsers take text and never raise on malformed lines.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import subprocess
import sys
from pathlib import Path

from homecare.models import Route


def parse_proc_net_route(text: str) -> list[Route]:
    """IPv4 default routes from ``/proc/net/route`` (hex, little-endian)."""
    routes: list[Route] = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 4:
            continue
        iface, dest, gateway, flags = cols[0], cols[1], cols[2], cols[3]
        try:
            if int(dest, 16) != 0 or not int(flags, 16) & 0x2:  # RTF_GATEWAY
                continue
            gw = socket.inet_ntoa(struct.pack("<L", int(gateway, 16)))
        except (ValueError, struct.error, OverflowError):
            continue
        routes.append(Route(family="ipv4", gateway=gw, interface=iface))
    return routes


def parse_proc_ipv6_route(text: str) -> list[Route]:
    """IPv6 default routes from ``/proc/net/ipv6_route``."""
    routes: list[Route] = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) != 10:
            continue
        dest, dest_len, gateway, iface = cols[0], cols[1], cols[4], cols[9]
        try:
            if int(dest, 16) != 0 or int(dest_len, 16) != 0 or int(gateway, 16) == 0:
                continue
            gw = str(ipaddress.IPv6Address(bytes.fromhex(gateway)))
        except ValueError:
            continue
        if iface == "lo":
            continue
        routes.append(Route(family="ipv6", gateway=gw, interface=iface))
    return routes


_DEFAULT_DESTINATIONS = ("default", "0.0.0.0", "::/0")  # noqa: S104 - route text, not a bind


def parse_netstat_rn(text: str) -> list[Route]:
    """Default routes from BSD/macOS ``netstat -rn`` output."""
    routes: list[Route] = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) < 2 or cols[0] not in _DEFAULT_DESTINATIONS:
            continue
        gw = cols[1].split("%")[0]
        try:
            addr = ipaddress.ip_address(gw)
        except ValueError:
            continue
        iface = next((c for c in reversed(cols[2:]) if c[:1].isalpha() and c.isalnum()), None)
        routes.append(
            Route(family="ipv4" if addr.version == 4 else "ipv6", gateway=gw, interface=iface)
        )
    return routes


def default_routes(timeout_s: float = 2.0) -> list[Route]:
    if sys.platform.startswith("linux"):
        routes: list[Route] = []
        for path, parser in (
            (Path("/proc/net/route"), parse_proc_net_route),
            (Path("/proc/net/ipv6_route"), parse_proc_ipv6_route),
        ):
            try:
                routes += parser(path.read_text())
            except OSError:
                continue
        return routes
    try:
        out = subprocess.run(
            ["netstat", "-rn"], capture_output=True, text=True, timeout=timeout_s, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return parse_netstat_rn(out)
