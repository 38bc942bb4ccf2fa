"""Privileged discovery: ask every address on the subnet who has it (ARP).

ARP is the one protocol every IPv4 device must answer, firewall or not, so
this is the most complete inventory there is. Frames go out at a controlled
rate (a burst of broadcasts can swamp a cheap Wi-Fi access point) with one
retry pass for addresses that stayed silent, all within the caller's
deadline.

On Linux we use a raw ``AF_PACKET`` socket and a receiver thread: no
import cost, and replies are collected while the requests are still going
out. Elsewhere we fall back to scapy, imported only then (it takes about a
second to import).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from homecare.probes.discovery.oui import normalize_mac
from homecare.probes.discovery.records import Neighbour

ETH_P_ARP = 0x0806
PACKET_OUTGOING = 4
BROADCAST = b"\xff" * 6


def build_request(src_mac: bytes, src_ip: bytes, target_ip: bytes) -> bytes:
    """An Ethernet broadcast frame carrying an ARP who-has for *target_ip*."""
    eth = BROADCAST + src_mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + src_mac + src_ip + b"\x00" * 6 + target_ip
    return eth + arp


def parse_reply(frame: bytes) -> tuple[str, str] | None:
    """(ip, mac) of an ARP reply frame, or None for anything else."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06":
        return None
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", frame[14:22])
    if htype != 1 or ptype != 0x0800 or hlen != 6 or plen != 4 or op != 2:
        return None
    mac = normalize_mac(frame[22:28].hex())
    if mac is None or mac in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        return None
    return socket.inet_ntoa(frame[28:32]), mac


def interface_mac(interface: str) -> str | None:
    """The interface's MAC from sysfs (Linux)."""
    try:
        text = Path(f"/sys/class/net/{interface}/address").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    return normalize_mac(text.strip())


class _Receiver(threading.Thread):
    """Collects replies for wanted addresses until stopped."""

    def __init__(self, sock: socket.socket, wanted: set[str]) -> None:
        super().__init__(name="homecare-arp-rx", daemon=True)
        self.sock = sock
        self.wanted = wanted
        self.found: dict[str, str] = {}
        self.last_reply = 0.0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        self.sock.settimeout(0.05)
        while not self.stop.is_set():
            try:
                frame, addr = self.sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(addr) > 2 and addr[2] == PACKET_OUTGOING:
                continue
            parsed = parse_reply(frame)
            if parsed is None or parsed[0] not in self.wanted:
                continue
            with self.lock:
                self.found.setdefault(parsed[0], parsed[1])
                self.last_reply = time.monotonic()

    def answered(self) -> set[str]:
        with self.lock:
            return set(self.found)


def _send_pass(
    sock: socket.socket,
    frames: Sequence[bytes],
    interval: float,
    deadline: float,
) -> None:
    next_at = time.monotonic()
    for frame in frames:
        if time.monotonic() >= deadline:
            return
        with contextlib.suppress(OSError):
            sock.send(frame)
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _wait(receiver: _Receiver, wanted: int, until: float) -> None:
    while time.monotonic() < until and len(receiver.answered()) < wanted:
        time.sleep(0.02)


def sweep_packet(
    interface: str,
    source_ip: str,
    source_mac: str,
    targets: Sequence[str],
    deadline: float,
    interval: float = 0.002,
    wait: float = 0.5,
    retries: int = 1,
) -> list[Neighbour]:
    """ARP sweep with a raw AF_PACKET socket (Linux, needs CAP_NET_RAW)."""
    src_mac = bytes.fromhex(source_mac.replace(":", ""))
    src_ip = socket.inet_aton(source_ip)
    wanted = {t for t in targets if t != source_ip}
    order = [t for t in targets if t in wanted]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    receiver = _Receiver(sock, wanted)
    try:
        sock.bind((interface, ETH_P_ARP))
        receiver.start()
        todo = order
        for attempt in range(1 + max(0, retries)):
            frames = [build_request(src_mac, src_ip, socket.inet_aton(t)) for t in todo]
            _send_pass(sock, frames, interval, deadline)
            _wait(receiver, len(wanted), min(deadline, time.monotonic() + wait * (1.5**attempt)))
            done = receiver.answered()
            todo = [t for t in order if t not in done]
            if not todo or time.monotonic() >= deadline:
                break
    finally:
        receiver.stop.set()
        if receiver.is_alive():
            receiver.join(timeout=1.0)
        sock.close()
    return [
        Neighbour(ip=ip, mac=mac, interface=interface, state="ARP")
        for ip, mac in sorted(receiver.found.items(), key=lambda kv: ipaddress.IPv4Address(kv[0]))
    ]


def sweep_scapy(
    interface: str,
    targets: Sequence[str],
    deadline: float,
    interval: float = 0.002,
    wait: float = 0.5,
    retries: int = 1,
) -> list[Neighbour]:
    """ARP sweep through scapy, for systems without AF_PACKET."""
    from scapy.layers.l2 import ARP, Ether
    from scapy.sendrecv import srp

    timeout = max(0.1, min(wait + len(targets) * interval, deadline - time.monotonic()))
    answered, _ = srp(
        Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(pdst=list(targets)),
        iface=interface,
        timeout=timeout,
        inter=interval,
        retry=-max(0, retries),
        verbose=0,
    )
    found: dict[str, str] = {}
    for _sent, reply in answered:
        mac = normalize_mac(str(reply[ARP].hwsrc))
        if mac:
            found.setdefault(str(reply[ARP].psrc), mac)
    return [
        Neighbour(ip=ip, mac=mac, interface=interface, state="ARP")
        for ip, mac in sorted(found.items(), key=lambda kv: ipaddress.IPv4Address(kv[0]))
    ]


def sweep(
    interface: str,
    source_ip: str,
    source_mac: str | None,
    targets: Sequence[str],
    deadline: float,
    interval: float = 0.002,
    wait: float = 0.5,
    retries: int = 1,
    use_scapy: bool = False,
) -> list[Neighbour]:
    """ARP-sweep *targets*; raises PermissionError without the privilege."""
    mac = source_mac or interface_mac(interface)
    if not use_scapy and hasattr(socket, "AF_PACKET") and mac:
        return sweep_packet(interface, source_ip, mac, targets, deadline, interval, wait, retries)
    return sweep_scapy(interface, targets, deadline, interval, wait, retries)
