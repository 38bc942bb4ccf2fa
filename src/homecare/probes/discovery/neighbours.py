"""Unprivileged discovery: make the kernel resolve every address, then read its table.

Without root we cannot send ARP ourselves, but any datagram to a LAN address
makes the kernel ARP for it; whoever answers lands in the neighbour table,
which any user may read. The datagram goes to UDP port 9 (discard), so even
a device that receives it does nothing with it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from homecare.probes.discovery.oui import normalize_mac
from homecare.probes.discovery.records import Neighbour

PROC_NET_ARP = Path("/proc/net/arp")
DISCARD_PORT = 9
#: States in which the kernel knows a usable MAC for the address.
RESOLVED_STATES = frozenset({"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT", "NOARP"})
_ZERO_MAC = "00:00:00:00:00:00"


def _valid_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def parse_ip_neigh_json(text: str) -> list[Neighbour]:
    """Parse ``ip -j neigh`` output; entries that are not IPv4 or not resolved are skipped."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    if not isinstance(data, list):
        return []
    out: list[Neighbour] = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        ip = entry.get("dst")
        if not isinstance(ip, str) or not _valid_ipv4(ip):
            continue
        states = entry.get("state")
        state_list = [s for s in states if isinstance(s, str)] if isinstance(states, list) else []
        lladdr = entry.get("lladdr")
        mac = normalize_mac(lladdr) if isinstance(lladdr, str) else None
        dev = entry.get("dev")
        out.append(
            Neighbour(
                ip=ip,
                mac=mac if mac != _ZERO_MAC else None,
                interface=dev if isinstance(dev, str) else None,
                state=state_list[0] if state_list else None,
            )
        )
    return out


def parse_proc_net_arp(text: str) -> list[Neighbour]:
    """Parse ``/proc/net/arp`` (IPv4 only; flag 0x2 = complete)."""
    out: list[Neighbour] = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 6 or not _valid_ipv4(cols[0]):
            continue
        try:
            flags = int(cols[2], 16)
        except ValueError:
            continue
        mac = normalize_mac(cols[3])
        complete = bool(flags & 0x2) and mac is not None and mac != _ZERO_MAC
        out.append(
            Neighbour(
                ip=cols[0],
                mac=mac if complete else None,
                interface=cols[5],
                state=("PERMANENT" if flags & 0x4 else "REACHABLE") if complete else "INCOMPLETE",
            )
        )
    return out


def read_table(interface: str | None = None, timeout: float = 2.0) -> tuple[list[Neighbour], str]:
    """The kernel's IPv4 neighbour table and how it was read (``ip`` or ``proc``)."""
    ip_cmd = shutil.which("ip")
    if ip_cmd:
        args = [ip_cmd, "-4", "-j", "neigh", "show"]
        if interface:
            args += ["dev", interface]
        try:
            proc = subprocess.run(
                args, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.SubprocessError):
            proc = None
        if proc is not None and proc.returncode == 0 and proc.stdout.strip().startswith("["):
            entries = parse_ip_neigh_json(proc.stdout)
            if interface:
                entries = [
                    Neighbour(e.ip, e.mac, e.interface or interface, e.state) for e in entries
                ]
            return entries, "ip"
    try:
        text = PROC_NET_ARP.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return [], "none"
    entries = parse_proc_net_arp(text)
    if interface:
        entries = [e for e in entries if e.interface == interface]
    return entries, "proc"


class _Poker:
    """Sends the datagrams, opening a fresh socket when one's buffer is full.

    A datagram to an address still being resolved waits in the kernel (and
    counts against its socket's send buffer) until ARP succeeds or fails,
    about 3 s later; one socket would stall after ~200 addresses.
    """

    MAX_SOCKETS = 64

    def __init__(self, source_ip: str | None) -> None:
        self.source_ip = source_ip
        self.sockets: list[socket.socket] = []

    def _new_socket(self) -> socket.socket | None:
        if len(self.sockets) >= self.MAX_SOCKETS:
            return None
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        if self.source_ip:
            with contextlib.suppress(OSError):
                sock.bind((self.source_ip, 0))
        self.sockets.append(sock)
        return sock

    def send(self, ip: str) -> None:
        sock = self.sockets[-1] if self.sockets else self._new_socket()
        for _ in range(2):
            if sock is None:
                return
            try:
                sock.sendto(b"", (ip, DISCARD_PORT))
                return
            except BlockingIOError:
                sock = self._new_socket()
            except OSError:
                # Unreachable and the like: this address gets no ARP now.
                return

    def poke(self, targets: Sequence[str], interval: float, deadline: float) -> None:
        """One datagram per address, paced so a slow Wi-Fi link is not flooded."""
        next_at = time.monotonic()
        for ip in targets:
            if time.monotonic() >= deadline:
                return
            self.send(ip)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.sockets.clear()


def _wait_settled(
    targets: set[str], interface: str | None, settle_cap: float, deadline: float
) -> dict[str, Neighbour]:
    """Poll the table until no target is still being resolved (or time is up)."""
    end = min(deadline, time.monotonic() + settle_cap)
    resolved: dict[str, Neighbour] = {}
    while True:
        table, _ = read_table(interface)
        pending = False
        for n in table:
            if n.ip not in targets:
                continue
            if n.mac and (n.state is None or n.state in RESOLVED_STATES):
                resolved[n.ip] = n
            elif n.state in ("INCOMPLETE", None):
                pending = True
        if not pending or time.monotonic() >= end:
            return resolved
        time.sleep(0.2)


def sweep(
    targets: Iterable[str],
    interface: str | None,
    source_ip: str | None,
    deadline: float,
    interval: float = 0.002,
    settle_cap: float = 3.5,
) -> tuple[list[Neighbour], str]:
    """Fill the neighbour table for *targets* and return what it then holds.

    Two passes: the kernel gives up on an address after three ARP requests
    (about 3 s), so a device that was briefly asleep gets a second chance.
    Returns the entries for the targets plus any other neighbour already known,
    and the table-reading method.
    """
    target_list = [t for t in targets if t != source_ip]
    wanted = set(target_list)
    poker = _Poker(source_ip)
    try:
        poker.poke(target_list, interval, deadline)
        found = _wait_settled(wanted, interface, settle_cap, deadline)
        missing = [t for t in target_list if t not in found]
        if missing and deadline - time.monotonic() > 1.0:
            poker.poke(missing, interval, deadline)
            found.update(_wait_settled(set(missing), interface, settle_cap, deadline))
    finally:
        poker.close()
    table, how = read_table(interface)
    for n in table:
        if n.mac and n.ip not in found and (n.state is None or n.state in RESOLVED_STATES):
            found[n.ip] = n
    return sorted(found.values(), key=lambda n: ipaddress.IPv4Address(n.ip)), how
