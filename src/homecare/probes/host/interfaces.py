"""Interfaces from psutil, classified as Wi-Fi, wired, virtual or loopback."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Literal

import psutil

from homecare.models import Interface, InterfaceAddress, InterfaceCounters

InterfaceKind = Literal["wifi", "wired", "loopback", "virtual", "unknown"]

_WIFI_PREFIXES = ("wl", "wlan", "wifi", "ath", "ra")
_VIRTUAL_PREFIXES = ("veth", "docker", "br-", "virbr", "tun", "tap", "wg", "vmnet", "utun", "zt")


def classify(name: str, sys_class_net: Path = Path("/sys/class/net")) -> InterfaceKind:
    """Tell Wi-Fi from wired: sysfs on Linux, names elsewhere."""
    if name == "lo" or name.startswith("lo0") or "loopback" in name.lower():
        return "loopback"
    node = sys_class_net / name
    if sys.platform.startswith("linux") and node.exists():
        if (node / "wireless").exists() or (node / "phy80211").exists():
            return "wifi"
        if not (node / "device").exists():
            return "virtual"
        return "wired"
    lowered = name.lower()
    if lowered.startswith(_WIFI_PREFIXES) or "wi-fi" in lowered or "wireless" in lowered:
        return "wifi"
    if lowered.startswith(_VIRTUAL_PREFIXES):
        return "virtual"
    if lowered.startswith(("eth", "en", "ethernet")):
        return "wired"
    return "unknown"


def read_interfaces() -> list[Interface]:
    addrs = psutil.net_if_addrs()
    stats = psutil.net_if_stats()
    counters = psutil.net_io_counters(pernic=True)
    out: list[Interface] = []
    for name in sorted(set(addrs) | set(stats)):
        st = stats.get(name)
        mac: str | None = None
        addresses: list[InterfaceAddress] = []
        for a in addrs.get(name, []):
            if a.family == psutil.AF_LINK:
                mac = a.address.lower().replace("-", ":") or None
            elif a.family == socket.AF_INET:
                addresses.append(
                    InterfaceAddress(
                        family="ipv4", address=a.address, prefix_len=_prefix(a.netmask)
                    )
                )
            elif a.family == socket.AF_INET6:
                addresses.append(
                    InterfaceAddress(
                        family="ipv6",
                        address=a.address.split("%")[0],
                        prefix_len=_prefix(a.netmask),
                    )
                )
        c = counters.get(name)
        out.append(
            Interface(
                name=name,
                kind=classify(name),
                is_up=bool(st and st.isup),
                speed_mbps=(st.speed or None) if st else None,
                mtu=(st.mtu or None) if st else None,
                mac=mac,
                addresses=addresses,
                counters=InterfaceCounters(
                    bytes_sent=c.bytes_sent,
                    bytes_recv=c.bytes_recv,
                    errors_in=c.errin,
                    errors_out=c.errout,
                    drops_in=c.dropin,
                    drops_out=c.dropout,
                )
                if c
                else None,
            )
        )
    return out


def _prefix(netmask: str | None) -> int | None:
    if not netmask:
        return None
    if ":" in netmask:
        return sum(bin(int(part, 16)).count("1") for part in netmask.split(":") if part)
    try:
        return sum(bin(int(octet)).count("1") for octet in netmask.split("."))
    except ValueError:
        return None
