"""The LibreSpeed engine: parallel HTTP streams against a LibreSpeed backend.

Download streams GET ``garbage.php`` and count body bytes; upload streams POST
to ``empty.php`` from one small shared buffer. A stream that fails records
why and stops; the others carry on, so a flaky server still yields a figure
with the error beside it.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, Meter
from homecare.probes.speed.http_streams import (
    BUFFER_BYTES,
    Endpoint,
    SocketSet,
    connect,
    http_status_error,
    read_head,
    request_head,
    unsent_bytes,
)

DOWNLOAD_CHUNKS = 1024  # MiB per request: LibreSpeed's cap, so few requests at any rate
UPLOAD_REQUEST_BYTES = 32 * 1024 * 1024
IO_TIMEOUT_S = 2.0  # a healthy line never goes silent this long mid-test
#: One shared block of random bytes for every upload stream (flat memory).
_UPLOAD_BLOCK = memoryview(os.urandom(BUFFER_BYTES))


def backend_url(base: str, name: str) -> str:
    """``name`` beneath a LibreSpeed base URL (with or without ``/backend/``)."""
    return base.rstrip("/") + "/" + name if not base.endswith(".php") else base.rsplit("/", 1)[0] + "/" + name


class _Streams:
    """Shared state of one direction's streams."""

    def __init__(self, n: int) -> None:
        self.sent = [0] * n
        self.socks: list[socket.socket | None] = [None] * n
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.open = SocketSet()
        self.alive = n
        self.last_progress = time.monotonic()
        self._lock = threading.Lock()

    def stalled(self) -> bool:
        """No stream moved a byte for IO_TIMEOUT_S. One stream starved by its
        siblings (TCP is not fair over seconds on a slow line) is not a fault."""
        return time.monotonic() - self.last_progress >= IO_TIMEOUT_S

    def fail(self, message: str) -> None:
        with self._lock:
            if message not in self.errors:
                self.errors.append(message)

    def ended(self) -> None:
        with self._lock:
            self.alive -= 1
            if self.alive <= 0:
                self.stop.set()


class LibreSpeedEngine:
    name = "librespeed"

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = list(urls)
        self.base: str | None = None

    # ------------------------------------------------------------------ server

    def prepare(self, deadline: float) -> str:
        """Pick the configured server with the quickest ``empty.php`` answer."""
        if not self.urls:
            raise EngineError(_("No LibreSpeed server is configured in the provider profile."))
        best: tuple[float, str] | None = None
        errors: list[str] = []
        for base in self.urls:
            try:
                ep = Endpoint.parse(backend_url(base, "empty.php"))
                rtt = self._ping(ep, max(0.2, min(IO_TIMEOUT_S, deadline - time.monotonic())))
            except EngineError as exc:
                errors.append(str(exc))
                continue
            if best is None or rtt < best[0]:
                best = (rtt, base)
        if best is None:
            raise EngineError("; ".join(errors))
        self.base = best[1]
        return self.base

    def _ping(self, ep: Endpoint, timeout_s: float) -> float:
        buf = memoryview(bytearray(16 * 1024))
        started = time.monotonic()
        sock = connect(ep, timeout_s)
        try:
            sock.sendall(request_head("GET", ep, ep.path, "Connection: close\r\n"))
            head = read_head(sock, buf, ep)
        except OSError as exc:
            raise EngineError(
                _("The speed test server {server} stopped answering.").format(server=ep.label)
            ) from exc
        finally:
            sock.close()
        if head.status != 200:
            raise http_status_error(head.status, ep)
        return time.monotonic() - started

    # ------------------------------------------------------------------ measuring

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        if self.base is None:
            self.prepare(budget.deadline)
        assert self.base is not None
        name = "garbage.php" if direction == "download" else "empty.php"
        ep = Endpoint.parse(backend_url(self.base, name))
        st = _Streams(budget.streams)
        work = self._download if direction == "download" else self._upload
        threads = [
            threading.Thread(target=work, args=(ep, st, i), daemon=True, name=f"ls-{direction}-{i}")
            for i in range(budget.streams)
        ]
        for t in threads:
            t.start()
        if direction == "upload":
            total: Callable[[], int] = lambda: sum(  # noqa: E731
                max(0, st.sent[i] - (unsent_bytes(s) if (s := st.socks[i]) else 0))
                for i in range(len(st.sent))
            )
        else:
            total = lambda: sum(st.sent)  # noqa: E731
        label = _("Download") if direction == "download" else _("Upload")
        result = Meter(budget, total, progress, label).run(st.stop)
        st.open.shutdown_all()
        for t in threads:
            t.join(timeout=max(0.05, min(1.0, budget.deadline - time.monotonic())))
        if result.mbit is None and not st.errors:
            st.fail(_("The speed test server {server} sent no data.").format(server=ep.label))
        return SpeedDirection(
            direction=direction,
            mbit=result.mbit,
            bytes=sum(st.sent),
            duration_s=result.duration_s,
            streams=budget.streams,
            settled=result.settled,
            samples_mbit=result.samples_mbit,
            error="; ".join(st.errors[:2]) if st.errors else None,
        )

    def _download(self, ep: Endpoint, st: _Streams, i: int) -> None:
        buf = memoryview(bytearray(BUFFER_BYTES))
        with _stream_failures(st, ep, _("The speed test server {server} stopped sending.")):
            while not st.stop.is_set():
                path = f"{ep.path}?ckSize={DOWNLOAD_CHUNKS}&r={secrets.token_hex(4)}"
                sock = connect(ep, IO_TIMEOUT_S)
                st.open.add(sock)
                try:
                    sock.sendall(request_head("GET", ep, path, "Connection: close\r\n"))
                    head = read_head(sock, buf, ep)
                    if head.status != 200:
                        raise http_status_error(head.status, ep)
                    got = head.body_start
                    st.sent[i] += got
                    while not st.stop.is_set():
                        try:
                            n = sock.recv_into(buf)
                        except TimeoutError:
                            if st.stalled():
                                raise
                            continue
                        if n == 0:
                            break
                        got += n
                        st.sent[i] += n
                        st.last_progress = time.monotonic()
                    if (
                        not st.stop.is_set()
                        and head.content_length is not None
                        and got < head.content_length
                    ):
                        raise EngineError(
                            _("The speed test server {server} closed the connection early.").format(
                                server=ep.label
                            )
                        )
                finally:
                    st.open.discard(sock)

    def _upload(self, ep: Endpoint, st: _Streams, i: int) -> None:
        buf = memoryview(bytearray(16 * 1024))
        block = _UPLOAD_BLOCK
        with _stream_failures(st, ep, _("The speed test server {server} stopped receiving.")):
            sock = connect(ep, IO_TIMEOUT_S)
            st.open.add(sock)
            st.socks[i] = sock
            try:
                while not st.stop.is_set():
                    path = f"{ep.path}?r={secrets.token_hex(4)}"
                    sock.sendall(request_head(
                        "POST", ep, path,
                        "Content-Type: application/octet-stream\r\n"
                        f"Content-Length: {UPLOAD_REQUEST_BYTES}\r\nConnection: keep-alive\r\n",
                    ))  # fmt: skip
                    left = UPLOAD_REQUEST_BYTES
                    while left > 0 and not st.stop.is_set():
                        try:
                            n = sock.send(block[: min(left, len(block))])
                        except TimeoutError:
                            if st.stalled():
                                raise
                            continue
                        left -= n
                        st.sent[i] += n
                        st.last_progress = time.monotonic()
                    if st.stop.is_set():
                        break
                    head = read_head(sock, buf, ep)
                    if head.status != 200:
                        raise http_status_error(head.status, ep)
                    if head.content_length and head.content_length > head.body_start:
                        _skip(sock, buf, head.content_length - head.body_start)
                    if not head.keep_alive:
                        st.open.discard(sock)
                        st.socks[i] = None
                        sock = connect(ep, IO_TIMEOUT_S)
                        st.open.add(sock)
                        st.socks[i] = sock
            finally:
                st.socks[i] = None
                st.open.discard(sock)


@contextmanager
def _stream_failures(st: _Streams, ep: Endpoint, stalled: str) -> Iterator[None]:
    """One stream's end: a failure is recorded unless the test was already
    stopping (closing sockets then raises by design); the stream always ends."""
    try:
        yield
    except TimeoutError:
        if not st.stop.is_set():
            st.fail(stalled.format(server=ep.label))
    except EngineError as exc:
        if not st.stop.is_set():
            st.fail(str(exc))
    except OSError as exc:
        if not st.stop.is_set():
            st.fail(_("Connection to {server} failed: {error}").format(
                server=ep.label, error=exc.strerror or exc))  # fmt: skip
    finally:
        st.ended()


def _skip(sock: socket.socket, buf: memoryview, n: int) -> None:
    while n > 0:
        got = sock.recv_into(buf[: min(n, len(buf))])
        if got == 0:
            return
        n -= got
