"""ICMP echo without external tools, and the unprivileged fallbacks.

Order of preference: a raw socket (needs root or CAP_NET_RAW), an ICMP
datagram socket (Linux allows it when ``net.ipv4.ping_group_range`` covers
the user; macOS always), then a TCP connect whose answer, even a refusal,
proves the host is there.
"""

from __future__ import annotations

import errno
import ipaddress
import itertools
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field

_IDENTS = itertools.cycle([(os.getpid() * 7919 + n) & 0xFFFF for n in range(1, 4096)])

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0


@dataclass
class EchoSeries:
    method: str
    sent: int = 0
    received: int = 0
    rtts_ms: list[float] = field(default_factory=list)
    error: str | None = None


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return int(~total & 0xFFFF)


def build_echo(ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    csum = checksum(header + payload)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, csum, ident, seq) + payload


def parse_echo_reply(packet: bytes, raw: bool) -> tuple[int, int] | None:
    """(ident, seq) of an echo reply, or None for anything else or garbage."""
    if raw:
        if len(packet) < 20:
            return None
        ihl = (packet[0] & 0x0F) * 4
        packet = packet[ihl:]
    if len(packet) < 8:
        return None
    icmp_type, _code, _csum, ident, seq = struct.unpack("!BBHHH", packet[:8])
    if icmp_type != ICMP_ECHO_REPLY:
        return None
    return ident, seq


def open_icmp_socket() -> tuple[socket.socket, str] | None:
    """The best ICMP socket this process may open, with its method name."""
    for kind, method in ((socket.SOCK_RAW, "icmp-raw"), (socket.SOCK_DGRAM, "icmp-dgram")):
        try:
            return socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP), method
        except OSError:
            continue
    return None


def icmp_series(
    target: str, count: int, timeout_s: float, interval_s: float, deadline: float
) -> EchoSeries | None:
    """Ping *target* *count* times; None when no ICMP socket can be opened."""
    opened = open_icmp_socket()
    if opened is None:
        return None
    try:
        target = str(ipaddress.IPv4Address(target))
    except ValueError:
        try:
            target = str(socket.getaddrinfo(target, None, socket.AF_INET)[0][4][0])
        except (OSError, UnicodeError) as exc:
            opened[0].close()
            return EchoSeries(method=opened[1], error=str(exc))
    sock, method = opened
    raw = method == "icmp-raw"
    series = EchoSeries(method=method)
    # Raw sockets see every ICMP reply on the host: a series of its own ident,
    # and replies only from the target, so concurrent series (the gateway and
    # the internet, or another probe) never count each other's answers.
    ident = next(_IDENTS)
    payload = b"homecare" + bytes(24)
    sent_at: dict[int, float] = {}
    with sock:
        sock.setblocking(False)
        for seq in range(1, count + 1):
            if time.monotonic() >= deadline:
                break
            try:
                sock.sendto(build_echo(ident, seq, payload), (target, 0))
            except OSError as exc:
                series.error = os.strerror(exc.errno) if exc.errno else str(exc)
                if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EINVAL):
                    series.sent += 1
                    continue
                break
            series.sent += 1
            sent_at[seq] = time.monotonic()
            wait_until = min(deadline, sent_at[seq] + max(timeout_s, interval_s))
            _collect(
                sock, raw, ident, target, sent_at, series, wait_until, stop_early=interval_s <= 0
            )
        # late replies to earlier probes
        late_until = min(deadline, time.monotonic() + timeout_s) if sent_at else 0.0
        _collect(sock, raw, ident, target, sent_at, series, late_until, stop_early=True)
    return series


def _collect(
    sock: socket.socket,
    raw: bool,
    ident: int,
    target: str,
    sent_at: dict[int, float],
    series: EchoSeries,
    until: float,
    stop_early: bool,
) -> None:
    while sent_at:
        remaining = until - time.monotonic()
        if remaining <= 0:
            return
        ready, _w, _x = select.select([sock], [], [], remaining)
        if not ready:
            return
        try:
            packet, addr = sock.recvfrom(2048)
        except OSError:
            return
        now = time.monotonic()
        parsed = parse_echo_reply(packet, raw)
        if parsed is None or addr[0] != target:
            continue
        r_ident, seq = parsed
        # datagram sockets rewrite the ident; the kernel already filtered for us
        if raw and r_ident != ident:
            continue
        started = sent_at.pop(seq, None)
        if started is None:
            continue
        series.received += 1
        series.rtts_ms.append(round((now - started) * 1000, 3))
        if stop_early and not sent_at:
            return


def tcp_series(
    target: str, port: int, count: int, timeout_s: float, interval_s: float, deadline: float
) -> EchoSeries:
    """Time TCP handshakes; a refused connection still counts as an answer."""
    series = EchoSeries(method="tcp-connect")
    for _ in range(count):
        if time.monotonic() >= deadline:
            break
        series.sent += 1
        started = time.monotonic()
        try:
            with socket.create_connection(
                (target, port), timeout=max(0.05, min(timeout_s, deadline - started))
            ):
                pass
            answered = True
        except ConnectionRefusedError:
            answered = True
        except OSError as exc:
            answered = False
            series.error = exc.strerror or type(exc).__name__
        if answered:
            series.received += 1
            series.rtts_ms.append(round((time.monotonic() - started) * 1000, 3))
        pause = interval_s - (time.monotonic() - started)
        if pause > 0:
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
    return series
