"""A delay line for the virtual home's WAN: the base round trip netem would give.

This kernel has no ``netem`` (nor ``fq``/``etf``, the qdiscs that honour a
departure time), so a qdisc cannot hold packets back. Instead the WAN runs
through a small namespace of its own with two interfaces and no addresses;
this program bridges them in user space and holds every frame for half the
round trip in each direction.

It keeps up at gigabit rates in Python because the frames are GSO super-
packets: the laptop's and the servers' TCP hand 64 KiB segments to the veth
links, which pass them on unsegmented. A packet socket with
``PACKET_VNET_HDR`` receives each one whole, with its offload header, and
sends it on with that header, so the kernel segments (if ever) only at the
far end. One super-packet per system call is a few thousand calls a second
at 2 Gbit/s rather than 170,000.

Order is kept (one FIFO per direction, constant delay); nothing is dropped
here (the tbf shaper and the nftables loss rules do that). Run inside the
delay namespace only:
``python -m homecare_lab.delay_line IF_A IF_B --rtt-ms 30 [--rtt-file F] [--runmark R]``.

The hot loop runs in C when it can (``delay_line.c``, built here with gcc on
first use and cached by the source's hash; ``--python`` forces this file's
loop): one frame per Python system call and one interpreter lock for both
directions cost a whole core with 16 flows at 2 Gbit/s (16 flows' TCP sends
smaller GSO segments than 4 flows do), and on a shared 2-core machine the
line then lags, queueing frames in the socket buffer: extra, varying delay
that iperf3 and the engines felt differently. The C loop batches with
``recvmmsg``/``sendmmsg`` and runs each direction on its own thread.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_VNET_HDR = 15
PACKET_IGNORE_OUTGOING = 23
FRAME_MAX = 256 * 1024  # a GSO super-packet with its headers fits
SOCKET_BUFFER = 32 * 1024 * 1024


def packet_socket(ifname: str) -> socket.socket:
    """A raw socket on *ifname* that sees frames received there (not those we send)."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
        with contextlib.suppress(OSError):
            s.setsockopt(socket.SOL_SOCKET, opt, SOCKET_BUFFER)
    with contextlib.suppress(OSError):  # beyond rmem_max needs CAP_NET_ADMIN (we have it)
        s.setsockopt(socket.SOL_SOCKET, 33, SOCKET_BUFFER)  # SO_RCVBUFFORCE
        s.setsockopt(socket.SOL_SOCKET, 32, SOCKET_BUFFER)  # SO_SNDBUFFORCE
    s.bind((ifname, 0))
    return s


class Delay:
    """The one-way delay, re-read from a file so the lab can change the round
    trip of a running home (``degrade_wan(rtt_ms=…)``)."""

    def __init__(self, rtt_ms: float, path: Path | None) -> None:
        self.one_way_s = rtt_ms / 2000.0
        self.path = path

    def follow(self, stop: threading.Event) -> None:
        while self.path is not None and not stop.wait(0.2):
            with contextlib.suppress(OSError, ValueError):
                self.one_way_s = max(0.0, float(self.path.read_text().strip())) / 2000.0


def forward(src: socket.socket, dst: socket.socket, delay: Delay, stop: threading.Event) -> None:
    """Frames from *src* leave *dst* one delay after they arrived, in order."""
    queue: collections.deque[tuple[float, bytes]] = collections.deque()
    src.setblocking(False)
    poller = select.poll()
    poller.register(src, select.POLLIN)
    while not stop.is_set():
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _due, frame = queue.popleft()
            with contextlib.suppress(OSError):  # a frame the far end refuses is lost
                dst.send(frame)
        wait_ms = 100.0 if not queue else max(0.0, (queue[0][0] - time.monotonic()) * 1000)
        if not poller.poll(wait_ms):
            continue
        arrived = time.monotonic() + delay.one_way_s
        for _ in range(256):  # drain what is there, then look at the clock again
            try:
                frame = src.recv(FRAME_MAX)
            except BlockingIOError:
                break
            queue.append((arrived, frame))


PACKET_STATISTICS = 6


def report_drops(socks: Sequence[socket.socket], stop: threading.Event) -> None:
    """Every 5 s, frames the kernel dropped because we read too slowly
    (``PACKET_STATISTICS``; reading resets the counters), on stderr (the
    home's ``wan-delay.log``): the sign that this forwarder limits the line."""
    while not stop.wait(5.0):
        for s in socks:
            with contextlib.suppress(OSError):
                packets, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
                if drops:
                    print(f"{s.getsockname()[0]}: {drops} of {packets} frames dropped", flush=True)


def run(if_a: str, if_b: str, rtt_ms: float, rtt_file: Path | None = None) -> int:
    a, b = packet_socket(if_a), packet_socket(if_b)
    delay = Delay(rtt_ms, rtt_file)
    stop = threading.Event()
    try:  # the wire does not wait for the CPU (delay_line.c says why); threads inherit it
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except OSError as exc:
        print(f"no real-time priority ({exc.strerror}): the delay shares the CPU", flush=True)
    threads = [
        threading.Thread(target=forward, args=(a, b, delay, stop), daemon=True),
        threading.Thread(target=forward, args=(b, a, delay, stop), daemon=True),
        threading.Thread(target=delay.follow, args=(stop,), daemon=True),
        threading.Thread(target=report_drops, args=((a, b), stop), daemon=True),
    ]
    for t in threads:
        t.start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(0.5)
    return 0


C_SOURCE = Path(__file__).with_name("delay_line.c")


def c_binary() -> Path | None:
    """The compiled C loop, built on first use (gcc); None without gcc or source.

    Cached in a per-user folder under the temp dir, named by the source's
    hash, so a changed source is rebuilt and concurrent homes share one build
    (written to a temporary name, then renamed).
    """
    if not C_SOURCE.is_file():
        return None
    digest = hashlib.sha256(C_SOURCE.read_bytes()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"homecare-lab-{os.getuid()}"
    target = folder / f"delay_line-{digest}"
    if target.is_file():
        return target
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.stat().st_uid != os.getuid():
            return None  # someone else's folder: do not run what it holds
        partial = folder / f".delay_line-{digest}.{os.getpid()}"
        subprocess.run(
            ["gcc", "-O2", "-pthread", "-Wall", "-o", str(partial), str(C_SOURCE)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        partial.replace(target)
    except (OSError, subprocess.SubprocessError):
        return None
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="user-space WAN delay line (lab only)")
    parser.add_argument("if_a")
    parser.add_argument("if_b")
    parser.add_argument("--rtt-ms", type=float, required=True, help="added round trip")
    parser.add_argument("--rtt-file", type=Path, help="file holding the round trip (ms), re-read")
    parser.add_argument("--runmark", help="run marker (stale-run cleanup)")
    parser.add_argument("--python", action="store_true", help="the Python loop, not the C one")
    args = parser.parse_args(argv)
    binary = None if args.python else c_binary()
    if binary is not None:
        rest = [str(args.rtt_file or "-"), args.runmark or ""]
        print(f"delay line: C loop {binary}", flush=True)
        # exec keeps the pid; the run marker stays on the command line, where
        # the stale-run cleanup looks for it
        os.execv(binary, [str(binary), args.if_a, args.if_b, str(args.rtt_ms), *rest])  # noqa: S606
    print("delay line: Python loop", flush=True)
    return run(args.if_a, args.if_b, args.rtt_ms, args.rtt_file)


if __name__ == "__main__":
    raise SystemExit(main())
