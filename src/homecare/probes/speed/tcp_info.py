"""What the kernel knows about a TCP connection: Linux ``TCP_INFO``.

An upload rate computed from bytes handed to ``send`` counts what still sits
in the socket's send queue (several megabytes at gigabit rates with buffer
auto-tuning), so a run that ends with a full queue over-reads. The kernel's
``tcpi_bytes_acked`` counts what the far end acknowledged: what it really
received. ndt7 uses the same counter. Where ``TCP_INFO`` is missing (not
Linux), the fallback is what ``send`` accepted minus the unacknowledged queue
(``TIOCOUTQ``: on Linux ``write_seq - snd_una``), which is the same number on
Linux and as close as the platform allows elsewhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import socket
import struct
import termios
from dataclasses import dataclass

#: ``struct tcp_info`` (linux/tcp.h) is append-only; 232 bytes reach ``tcpi_snd_wnd``.
_INFO_LEN = 232
_TCP_INFO = getattr(socket, "TCP_INFO", 11)


@dataclass(frozen=True)
class TcpInfo:
    """The fields a speed test needs, in the kernel's units (bytes, microseconds)."""

    rtt_us: int
    rtt_var_us: int
    min_rtt_us: int
    total_retrans: int
    bytes_acked: int
    bytes_received: int
    bytes_sent: int
    bytes_retrans: int
    notsent_bytes: int
    segs_out: int
    busy_time_us: int
    rwnd_limited_us: int
    sndbuf_limited_us: int


def tcp_info(sock: socket.socket) -> TcpInfo | None:
    """The connection's ``TCP_INFO``, or None where the kernel has none (or too old)."""
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _INFO_LEN)
    except (OSError, ValueError):
        return None
    if len(raw) < 216:  # kernels before 4.19 lack bytes_sent / bytes_retrans
        return None
    rtt, rtt_var = struct.unpack_from("=II", raw, 68)
    (total_retrans,) = struct.unpack_from("=I", raw, 100)
    bytes_acked, bytes_received = struct.unpack_from("=QQ", raw, 120)
    (segs_out,) = struct.unpack_from("=I", raw, 136)
    notsent, min_rtt = struct.unpack_from("=II", raw, 144)
    busy, rwnd_limited, sndbuf_limited = struct.unpack_from("=QQQ", raw, 168)
    bytes_sent, bytes_retrans = struct.unpack_from("=QQ", raw, 200)
    return TcpInfo(
        rtt_us=rtt,
        rtt_var_us=rtt_var,
        min_rtt_us=min_rtt,
        total_retrans=total_retrans,
        bytes_acked=bytes_acked,
        bytes_received=bytes_received,
        bytes_sent=bytes_sent,
        bytes_retrans=bytes_retrans,
        notsent_bytes=notsent,
        segs_out=segs_out,
        busy_time_us=busy,
        rwnd_limited_us=rwnd_limited,
        sndbuf_limited_us=sndbuf_limited,
    )


def unacked_bytes(sock: socket.socket) -> int:
    """Bytes in the send queue not yet acknowledged (``TIOCOUTQ``), 0 where unknown."""
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    except (OSError, ValueError):
        return 0
    return int(struct.unpack("i", raw)[0])


def unread_bytes(sock: socket.socket) -> int:
    """Bytes that arrived on *sock* but the application has not read yet
    (``FIONREAD``, the receive queue), 0 where unknown.

    A download counted by what the application read follows the reading
    thread: a loop that reads late makes one sample low and the next high,
    and a window that opens while it lags and closes after it caught up
    over-reads (50 Mbit/s, 0 ms: samples from 32 to 83 Mbit/s, one run at
    1.059 of iperf3). Read bytes plus this queue is what arrived, when it
    arrived.
    """
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0")
    except (OSError, ValueError):
        return 0
    return max(0, int(struct.unpack("i", raw)[0]))


def acked_bytes(sock: socket.socket, written: int) -> int:
    """Payload the far end acknowledged on *sock*, of the *written* bytes ``send`` took.

    TCP_INFO's counter also counts the SYN (one byte) and the request heads;
    the heads are a few hundred bytes per 32 MiB request, so the rate is the
    goodput within 0.01 %.
    """
    info = tcp_info(sock)
    if info is not None:
        return max(0, min(written, info.bytes_acked - 1))
    return max(0, written - unacked_bytes(sock))


def abort(sock: socket.socket) -> None:
    """Close with ``SO_LINGER`` 0: the kernel drops the send queue and sends a
    reset, so nothing of a finished test keeps loading the line (a plain close,
    or a shutdown, keeps sending the queue, and the next check's idle latency
    would measure it)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
