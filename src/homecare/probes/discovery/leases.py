"""DHCP leases, when homecare runs on the router itself.

The router's DHCP server knows every client's host name and when its lease
ends, even for devices that are asleep now. Two formats matter in homes:
dnsmasq (most Linux routers, OpenWrt's IPv4 default) and OpenWrt's odhcpd.
Files are read only if they exist and are small; nothing is ever sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path

from homecare.probes.discovery.oui import normalize_mac
from homecare.probes.discovery.records import Lease

DNSMASQ_FILES = (Path("/var/lib/misc/dnsmasq.leases"), Path("/tmp/dhcp.leases"))  # noqa: S108
ODHCPD_FILES = (Path("/tmp/hosts/odhcpd"), Path("/tmp/odhcpd.leases"))  # noqa: S108
MAX_FILE_BYTES = 1 << 20
MAX_LEASES = 4096


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _hostname(text: str) -> str | None:
    name = text.strip()
    if not name or name in ("*", "-") or len(name) > 253 or not name.isprintable():
        return None
    return name


def parse_dnsmasq(text: str) -> list[Lease]:
    """``<expiry> <mac> <ip> <hostname|*> <client-id|*>`` per line.

    IPv6 leases (after a ``duid`` line) carry an IAID instead of a MAC; they
    keep their address and name but no MAC.
    """
    leases: list[Lease] = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) < 4 or cols[0] == "duid":
            continue
        try:
            expiry = int(cols[0])
        except ValueError:
            continue
        ip = _ip(cols[2])
        if ip is None:
            continue
        leases.append(
            Lease(ip=ip, mac=normalize_mac(cols[1]), hostname=_hostname(cols[3]), expiry=expiry)
        )
        if len(leases) >= MAX_LEASES:
            break
    return leases


def parse_odhcpd(text: str) -> list[Lease]:
    """Parse odhcpd's state file.

    Each lease is a comment line:
    ``# <iface> <duid|mac> <iaid|ipv4> <host> <valid> <hex> <len> <addr/len>...``.

    For DHCPv4 the IAID column reads ``ipv4`` and the second column is the
    client's MAC in bare hex. The hosts-format lines that follow each
    comment only repeat the names and are ignored.
    """
    leases: list[Lease] = []
    for line in text.splitlines():
        if not line.startswith("# "):
            continue
        cols = line[2:].split()
        if len(cols) < 8:
            continue
        try:
            valid = int(cols[4])
        except ValueError:
            continue
        mac = normalize_mac(cols[1]) if cols[2] == "ipv4" else None
        for addr in cols[7:]:
            ip = _ip(addr.split("/")[0])
            if ip is None:
                continue
            leases.append(
                Lease(
                    ip=ip,
                    mac=mac,
                    hostname=_hostname(cols[3]),
                    expiry=valid if valid > 0 else None,
                )
            )
        if len(leases) >= MAX_LEASES:
            break
    return leases


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_leases(
    dnsmasq_files: Iterable[Path] = DNSMASQ_FILES, odhcpd_files: Iterable[Path] = ODHCPD_FILES
) -> tuple[list[Lease], list[str]]:
    """All leases found on this machine, and the files they came from."""
    leases: list[Lease] = []
    used: list[str] = []
    for path in dnsmasq_files:
        text = _read(path)
        if text is not None:
            leases.extend(parse_dnsmasq(text))
            used.append(str(path))
    for path in odhcpd_files:
        text = _read(path)
        if text is not None:
            leases.extend(parse_odhcpd(text))
            used.append(str(path))
    return leases[:MAX_LEASES], used
