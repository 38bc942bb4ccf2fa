"""Which DNS resolvers the host is configured to use."""

from __future__ import annotations

import ipaddress
from pathlib import Path

STUB_RESOLVERS = {"127.0.0.53", "127.0.0.54"}
SYSTEMD_UPSTREAM = Path("/run/systemd/resolve/resolv.conf")


def parse_resolv_conf(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            addr = parts[1].split("%")[0]
            try:
                ipaddress.ip_address(addr)
            except ValueError:
                continue
            if parts[1] not in out:
                out.append(parts[1])
    return out


def configured_resolvers(resolv_conf: Path = Path("/etc/resolv.conf")) -> list[str]:
    """Resolvers from resolv.conf, looking through systemd-resolved's stub."""
    try:
        found = parse_resolv_conf(resolv_conf.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []
    if found and set(found) <= STUB_RESOLVERS and SYSTEMD_UPSTREAM.exists():
        try:
            upstream = parse_resolv_conf(SYSTEMD_UPSTREAM.read_text(encoding="utf-8"))
        except OSError:
            upstream = []
        return upstream or found
    return found
