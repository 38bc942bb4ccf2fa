"""Where a request comes from, as the collector can vouch for it.

The rate limits and the sybil defence need the sender's address, and only
the TCP peer or a proxy we trust can tell it: the payload's own
``public_network`` is written by the client and proves nothing. Behind a
reverse proxy, ``X-Forwarded-For`` is read right to left, skipping only
proxies listed in ``trusted_proxies``; the first address that is not one of
them is the sender (an address a client put at the left is never trusted).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The sender's address as text ("unknown" when there is none)."""
    trusted_nets = [ipaddress.ip_network(t, strict=False) for t in trusted]
    found = _parse(peer or "")
    if found is None:
        return "unknown"

    def is_trusted(addr: Address) -> bool:
        return any(addr in net for net in trusted_nets)

    if forwarded_for and is_trusted(found):
        for hop in reversed(forwarded_for.split(",")):
            addr = _parse(hop)
            if addr is None:
                break
            found = addr
            if not is_trusted(addr):
                break
    return str(found)


def rate_key(address: str) -> str:
    """The per-source rate-limit key: the address, or its /64 for IPv6 (one
    home gets a whole /64, and can rotate addresses inside it)."""
    addr = _parse(address)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(
        addr.ipv4_mapped
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped
        else address
    )


def network_of(address: str, v4_prefix: int = 24, v6_prefix: int = 48) -> str:
    """The sender's network for the sybil defence: installations count
    towards k only as distinct networks of this size."""
    addr = _parse(address)
    if addr is None:
        return "unknown"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    prefix = v4_prefix if isinstance(addr, ipaddress.IPv4Address) else v6_prefix
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
