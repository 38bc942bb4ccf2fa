"""Which DHCP servers answer on the LAN: a second one breaks a home quietly.

A rogue DHCP server (a second router plugged in LAN-to-LAN, a travel router,
a misconfigured NAS) hands out wrong gateways to some devices and not others,
which looks like random, device-specific outages. A DHCPDISCOVER broadcast
(never a REQUEST, so no lease is taken) collects every server's OFFER.
Needs root: the client port 68 and SO_BINDTODEVICE are privileged.
"""

from __future__ import annotations

import ipaddress
import os
import select
import socket
import struct
import time
from dataclasses import dataclass

MAGIC_COOKIE = b"\x63\x82\x53\x63"
BOOTREQUEST, BOOTREPLY = 1, 2
DHCPDISCOVER, DHCPOFFER = 1, 2
OPT_MESSAGE_TYPE, OPT_SERVER_ID, OPT_ROUTER, OPT_PARAM_LIST, OPT_END, OPT_PAD = (
    53,
    54,
    3,
    55,
    255,
    0,
)
MAX_SERVERS = 16


@dataclass(frozen=True)
class DhcpOffer:
    server_id: str
    offered_ip: str
    router: str | None


def build_discover(xid: int, mac: bytes) -> bytes:
    """A minimal DHCPDISCOVER with the broadcast flag, so offers reach us
    before we have an address."""
    header = struct.pack(
        "!BBBBIHH4s4s4s4s16s64s128s",
        BOOTREQUEST,
        1,  # Ethernet
        6,
        0,
        xid,
        0,
        0x8000,  # broadcast flag
        b"\0" * 4,
        b"\0" * 4,
        b"\0" * 4,
        b"\0" * 4,
        mac.ljust(16, b"\0"),
        b"\0" * 64,
        b"\0" * 128,
    )
    options = bytes([OPT_MESSAGE_TYPE, 1, DHCPDISCOVER, OPT_PARAM_LIST, 2, 1, OPT_ROUTER, OPT_END])
    return header + MAGIC_COOKIE + options


def parse_offer(packet: bytes, xid: int) -> DhcpOffer | None:
    """An OFFER answering *xid*, or None for anything else or malformed data."""
    if len(packet) < 240 or packet[236:240] != MAGIC_COOKIE:
        return None
    op, _htype, _hlen, _hops, r_xid = struct.unpack("!BBBBI", packet[:8])
    if op != BOOTREPLY or r_xid != xid:
        return None
    yiaddr = socket.inet_ntoa(packet[16:20])
    options = _options(packet[240:])
    if options.get(OPT_MESSAGE_TYPE) != bytes([DHCPOFFER]):
        return None
    server = options.get(OPT_SERVER_ID)
    if server is None or len(server) != 4:
        return None
    router = options.get(OPT_ROUTER)
    return DhcpOffer(
        server_id=socket.inet_ntoa(server),
        offered_ip=yiaddr,
        router=socket.inet_ntoa(router[:4]) if router and len(router) >= 4 else None,
    )


def _options(data: bytes) -> dict[int, bytes]:
    """TLV options; stops at END or at the first option that runs past the data."""
    out: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        code = data[i]
        if code == OPT_END:
            break
        if code == OPT_PAD:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        length = data[i + 1]
        value = data[i + 2 : i + 2 + length]
        if len(value) != length:
            break
        out.setdefault(code, value)
        i += 2 + length
    return out


def find_servers(interface: str, mac: str, wait_s: float) -> list[DhcpOffer]:
    """Broadcast one DISCOVER on *interface* and gather offers for *wait_s*.

    Raises OSError when the socket cannot be set up (no privilege, port 68
    held exclusively); the caller reports that instead of guessing.
    """
    xid = int.from_bytes(os.urandom(4), "big")
    hw = bytes.fromhex(mac.replace(":", "").replace("-", ""))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    offers: dict[str, DhcpOffer] = {}
    with sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        sock.bind(("0.0.0.0", 68))  # noqa: S104 - DHCP clients listen on the wildcard
        sock.sendto(build_discover(xid, hw), ("255.255.255.255", 67))
        deadline = time.monotonic() + wait_s
        while len(offers) < MAX_SERVERS:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _w, _x = select.select([sock], [], [], remaining)
            if not ready:
                break
            packet, _addr = sock.recvfrom(4096)
            offer = parse_offer(packet, xid)
            if offer is not None and _plausible(offer.server_id):
                offers.setdefault(offer.server_id, offer)
    return sorted(offers.values(), key=lambda o: ipaddress.IPv4Address(o.server_id))


def _plausible(address: str) -> bool:
    ip = ipaddress.IPv4Address(address)
    return not (ip.is_unspecified or ip.is_multicast or ip.is_loopback)
