"""Paced echo series: probes sent on a fixed schedule, replies matched by sequence.

``probes.reach.icmp.icmp_series`` waits for each reply before sending the next,
which is right for a handful of reachability pings but cannot keep a 20 ms
spacing, and it matches replies by sequence number only: two series running
at once on raw sockets would take each other's replies and hide each other's
loss. This module reuses its packet builders and socket opener, gives every
series its own identifier, matches the source address, and keeps sending on
schedule whether or not replies come back, so loss and latency under load are
measured rather than waited for.
"""

from __future__ import annotations

import errno
import os
import random
import select
import socket
import threading
import time
from dataclasses import dataclass, field

from homecare.models.reachability import PingMethod
from homecare.probes.reach.icmp import build_echo, open_icmp_socket, parse_echo_reply, tcp_series

_MAX_SEQ = 0xFFFF
_PAYLOAD = b"homecare-lat" + bytes(20)


@dataclass
class PacedSeries:
    """Raw outcome: how many were sent and the round trips in send order."""

    method: PingMethod
    sent: int = 0
    rtts_ms: list[float] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)  # sequence number of each RTT (ICMP only)
    error: str | None = None


def paced_icmp(
    target: str,
    *,
    interval_s: float,
    timeout_s: float,
    deadline: float,
    count: int | None = None,
    stop: threading.Event | None = None,
    live: dict[int, float] | None = None,
) -> PacedSeries | None:
    """Send ICMP echoes every *interval_s* until *count*, *stop* or *deadline*.

    Returns None when this process may open no ICMP socket (the caller falls
    back to TCP). A reply later than *timeout_s* after its probe is lost.
    *live*, if given, is filled with sequence → RTT as replies arrive, so a
    caller can watch the latency while the series runs.

    When *count* ends the series it waits out the last probe's timeout: the
    caller asked for that many. When *stop* or the deadline ends it, it waits
    only as long as a reply can still be in flight: twice the slowest round
    trip seen (at least 50 ms, at most *timeout_s*). A probe unanswered by
    then is lost; one younger than that window when the wait had to end
    (the deadline's own limit) is undecided and left out of ``sent``. Every
    probe is judged by one window, so the tail is not read as loss-free
    (leaving out every unanswered probe younger than *timeout_s* would have
    counted the last second's replies and none of its losses). Waiting out
    the full timeout on a lossy line kept a speed test direction 1 s past
    its stop.
    """
    opened = open_icmp_socket()
    if opened is None:
        return None
    sock, method = opened
    raw = method == "icmp-raw"
    ident = random.randint(1, 0xFFFF)
    limit = _MAX_SEQ if count is None else min(count, _MAX_SEQ)
    series = PacedSeries(method="icmp-raw" if raw else "icmp-dgram")
    sent_at: dict[int, float] = {}
    rtt_by_seq: dict[int, float] = {} if live is None else live
    try:
        target_ip = socket.gethostbyname(target)
    except OSError as exc:
        sock.close()
        series.error = str(exc)
        return series
    with sock:
        sock.setblocking(False)
        next_send = time.monotonic()
        last_send = next_send
        seq = 0
        while True:
            now = time.monotonic()
            sending = seq < limit and now < deadline and not (stop is not None and stop.is_set())
            if sending and now >= next_send:
                seq += 1
                try:
                    sock.sendto(build_echo(ident, seq, _PAYLOAD), (target_ip, 0))
                    sent_at[seq] = time.monotonic()
                except OSError as exc:
                    series.error = os.strerror(exc.errno) if exc.errno else str(exc)
                    if exc.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EINVAL,
                                         errno.ENOBUFS, errno.EAGAIN):  # fmt: skip
                        series.sent = seq
                        break
                series.sent = seq
                last_send = now
                next_send += interval_s
                if next_send < now:  # we fell behind (a slow host): do not burst
                    next_send = now + interval_s
                continue
            if sending:
                wait = next_send - now
            else:
                full = seq >= limit  # the count was reached: wait out its timeout
                window = timeout_s if full else _in_flight_window(rtt_by_seq, timeout_s)
                wait = min(last_send + window, deadline + timeout_s) - now
                if wait <= 0 or len(rtt_by_seq) == len(sent_at):
                    if not full:
                        series.sent -= _undecided(sent_at, rtt_by_seq, window)
                    break
            ready, _w, _x = select.select([sock], [], [], max(0.0, wait))
            if ready:
                _drain(sock, raw, ident, target_ip, sent_at, rtt_by_seq, timeout_s)
    series.seqs = sorted(rtt_by_seq.copy())
    series.rtts_ms = [rtt_by_seq[s] for s in series.seqs]
    return series


def _in_flight_window(rtt_by_seq: dict[int, float], timeout_s: float) -> float:
    """How long after the last probe its reply may still come: twice the
    slowest round trip so far (a queue that is draining), at least 50 ms."""
    slowest_s = max(rtt_by_seq.values(), default=0.0) / 1000
    return min(timeout_s, max(0.05, 2 * slowest_s))


def _undecided(sent_at: dict[int, float], rtt_by_seq: dict[int, float], window_s: float) -> int:
    """Probes neither answered nor older than the in-flight window: not yet lost."""
    young = time.monotonic() - window_s
    return sum(1 for seq, at in sent_at.items() if seq not in rtt_by_seq and at > young)


def _drain(
    sock: socket.socket,
    raw: bool,
    ident: int,
    target_ip: str,
    sent_at: dict[int, float],
    rtt_by_seq: dict[int, float],
    timeout_s: float,
) -> None:
    while True:
        try:
            packet, addr = sock.recvfrom(2048)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        now = time.monotonic()
        if addr[0] != target_ip:
            continue
        parsed = parse_echo_reply(packet, raw)
        if parsed is None:
            continue
        r_ident, seq = parsed
        if raw and r_ident != ident:
            continue
        started = sent_at.get(seq)
        if started is None or seq in rtt_by_seq:
            continue
        rtt = now - started
        if rtt <= timeout_s:
            rtt_by_seq[seq] = round(rtt * 1000, 3)


def paced_tcp(
    target: str,
    port: int,
    *,
    interval_s: float,
    timeout_s: float,
    deadline: float,
    count: int | None = None,
    stop: threading.Event | None = None,
) -> PacedSeries:
    """TCP handshake timing when ICMP is not allowed (one connection per probe)."""
    series = PacedSeries(method="tcp-connect")
    while (count is None or series.sent < count) and time.monotonic() < deadline:
        if stop is not None and stop.is_set():
            break
        one = tcp_series(target, port, 1, timeout_s, interval_s, deadline)
        series.sent += one.sent
        series.rtts_ms += one.rtts_ms
        if one.error:
            series.error = one.error
    return series


def paced_series(
    target: str,
    port: int,
    *,
    interval_s: float,
    timeout_s: float,
    deadline: float,
    count: int | None = None,
    stop: threading.Event | None = None,
    live: dict[int, float] | None = None,
) -> PacedSeries:
    """ICMP when this process may, else TCP connect timing."""
    icmp = paced_icmp(
        target, interval_s=interval_s, timeout_s=timeout_s, deadline=deadline, count=count,
        stop=stop, live=live,
    )  # fmt: skip
    if icmp is not None:
        return icmp
    return paced_tcp(
        target, port, interval_s=interval_s, timeout_s=timeout_s, deadline=deadline,
        count=count, stop=stop,
    )  # fmt: skip
