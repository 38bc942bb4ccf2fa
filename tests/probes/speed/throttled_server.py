"""A loopback HTTP upload sink that reads at a fixed rate: a bottleneck with a
small buffer in front of it, while the client's send queue grows to megabytes.

It is what makes an upload counted by bytes written over-read (the queue is
counted as sent) and what leaves a full send queue behind a test that only
shuts its sockets down instead of aborting them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Throttle:
    """One token bucket shared by all connections: ``rate_bps`` bytes/s in total."""

    rate_bps: float
    started: float = field(default_factory=time.monotonic)
    consumed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    reads: list[tuple[float, int]] = field(default_factory=list)  # (time, bytes read)

    def rate_mbit(self, start: float, end: float) -> float:
        """What the server really read between two monotonic times."""
        n = sum(b for t, b in self.reads if start <= t < end)
        return n * 8 / 1e6 / (end - start)

    def allow(self, want: int) -> int:
        while True:
            with self.lock:
                budget = int(self.rate_bps * (time.monotonic() - self.started)) - self.consumed
                if budget > 0:
                    n = min(want, budget)
                    self.consumed += n
                    return n
            time.sleep(0.002)


def _serve(conn: socket.socket, throttle: Throttle) -> None:
    buf = bytearray(64 * 1024)
    view = memoryview(buf)
    with conn:
        pending = b""
        while True:
            while b"\r\n\r\n" not in pending:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                pending += chunk
            head, _sep, rest = pending.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _c, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            left = length - len(rest)
            pending = b""
            while left > 0:
                n = conn.recv_into(view[: throttle.allow(min(left, len(buf)))])
                if n == 0:
                    return
                throttle.reads.append((time.monotonic(), n))
                left -= n
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")


@contextlib.contextmanager
def throttled_upload_server(mbit: float) -> Iterator[tuple[str, Throttle]]:
    """``(url, throttle)`` of a sink on 127.0.0.1 reading *mbit* Mbit/s in total."""
    throttle = Throttle(mbit * 1e6 / 8)
    srv = socket.socket()
    # a small, fixed receive buffer: acknowledged bytes track what was read
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _addr = srv.accept()
            except OSError:
                return
            conn.settimeout(5.0)
            threading.Thread(target=_serve_quietly, args=(conn, throttle), daemon=True).start()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}/", throttle
    finally:
        stop.set()
        srv.close()


def _serve_quietly(conn: socket.socket, throttle: Throttle) -> None:
    with contextlib.suppress(OSError, ValueError):
        _serve(conn, throttle)
