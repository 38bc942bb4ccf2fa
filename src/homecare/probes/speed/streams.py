"""Parallel HTTP streams that load one direction and count what really arrived.

Shared by every HTTP engine (LibreSpeed, speedtest.net): an engine only says
which URL each request goes to. Downloads count body bytes received; uploads
count bytes the server acknowledged (``TCP_INFO``), so what still waits in
the send queue when the window closes is never counted.

When the meter stops, every socket is aborted (``SO_LINGER`` 0, reset): the
kernel drops whatever is still queued, so a finished test leaves nothing on
the line for the next measurement (issue 12: the next check's idle latency
measured the previous upload's queue).

No stream waits a round trip between requests: uploads send the next
request before reading the answer to the last one (one request in
advance), and downloads of a plan with ``keep_alive`` ask for the next body
as soon as the current one's head arrived. Waiting instead drains the send
queue (or the pipe) once per request: at 30 ms and 2 Gbit/s, with 4 MiB
requests on 16 streams, that idle round trip cost speedtest.net a fifth of
the line.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, Meter, spread_of
from homecare.probes.speed.http_streams import (
    BUFFER_BYTES,
    AnswerReader,
    Endpoint,
    connect,
    http_status_error,
    read_head,
    request_head,
)
from homecare.probes.speed.tcp_info import abort, acked_bytes, tcp_info

IO_TIMEOUT_S = 2.0  # a healthy line never goes silent this long mid-test
#: One shared block of random bytes for every upload stream (flat memory).
_UPLOAD_BLOCK = memoryview(os.urandom(BUFFER_BYTES))


@dataclass(frozen=True)
class StreamPlan:
    """Where one engine's requests go: a fresh URL per request (cache busting)."""

    download_url: Callable[[], str]
    upload_url: Callable[[], str]
    upload_request_bytes: int = 32 * 1024 * 1024
    upload_content_type: str = "application/octet-stream"
    #: Downloads on kept-alive connections, the next request sent ahead. Only
    #: for servers that send a Content-Length (a static file): LibreSpeed's
    #: garbage.php streams without one, so it gets one request per connection.
    keep_alive: bool = False


class _Stream:
    """One stream's counters. Downloads add to ``done`` per read; uploads keep
    the socket being written in ``live`` and fold its acknowledged bytes into
    ``done`` when it closes (under the lock, so the meter never counts twice)."""

    def __init__(self) -> None:
        self.done = 0  # bytes counted (downloads) / acknowledged on closed connections
        self.live: socket.socket | None = None
        self.live_written = 0
        self.written = 0  # every byte handed to send, for bytes_used
        self.lock = threading.Lock()

    def counted(self) -> int:
        with self.lock:
            sock, done, written = self.live, self.done, self.live_written
        return done + (acked_bytes(sock, written) if sock is not None else 0)


class _Run:
    """Shared state of one direction's streams."""

    def __init__(self, n: int, upload: bool) -> None:
        self.streams = [_Stream() for _ in range(n)]
        self.upload = upload
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.alive = n
        self.last_progress = time.monotonic()
        self._lock = threading.Lock()
        self._socks: set[socket.socket] = set()
        self.retrans = 0
        self.sent_on_wire = 0
        self.min_rtt_us: int | None = None

    def total(self) -> int:
        return sum(s.counted() for s in self.streams)

    def moved(self) -> int:
        """Bytes taken from / handed to the sockets (what the test cost the line)."""
        return sum(s.written if self.upload else s.done for s in self.streams)

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

    def open(self, ep: Endpoint) -> socket.socket:
        sock = connect(ep, IO_TIMEOUT_S)
        with self._lock:
            if self.stop.is_set():
                abort(sock)
                raise EngineError("stopped")
            self._socks.add(sock)
        return sock

    def close(self, sock: socket.socket) -> None:
        """Account the connection's TCP figures, then abort it."""
        info = tcp_info(sock)
        with self._lock:
            self._socks.discard(sock)
            if info is not None:
                self.retrans += info.bytes_retrans
                self.sent_on_wire += info.bytes_sent
                if info.min_rtt_us and (
                    self.min_rtt_us is None or info.min_rtt_us < self.min_rtt_us
                ):
                    self.min_rtt_us = info.min_rtt_us
        abort(sock)

    def wake_all(self) -> None:
        """Make every blocked ``send``/``recv`` return so the streams end now;
        the streams then abort their own sockets (closing an fd another thread
        is blocked on is unsafe)."""
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def abort_leftovers(self) -> None:
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            self.close(s)


def run_streams(
    direction: Direction,
    plan: StreamPlan,
    budget: MeasureBudget,
    progress: Callable[[str], None],
) -> SpeedDirection:
    """Load *direction* with ``budget.streams`` streams until the meter stops."""
    upload = direction == "upload"
    run = _Run(budget.streams, upload)
    work = _upload if upload else _download
    threads = [
        threading.Thread(target=work, args=(plan, run, run.streams[i]), daemon=True,
                         name=f"http-{direction}-{i}")
        for i in range(budget.streams)
    ]  # fmt: skip
    for t in threads:
        t.start()
    label = _("Download") if direction == "download" else _("Upload")
    result = Meter(budget, run.total, progress, label).run(run.stop)
    run.wake_all()
    for t in threads:
        t.join(timeout=max(0.05, min(1.0, budget.deadline - time.monotonic())))
    run.abort_leftovers()
    if result.mbit is None and not run.errors:
        server = Endpoint.parse(plan.download_url() if not upload else plan.upload_url()).label
        run.fail(_("The speed test server {server} sent no data.").format(server=server))
    low, high = spread_of(result.samples_mbit)
    return SpeedDirection(
        direction=direction,
        mbit=result.mbit,
        bytes=run.moved(),
        duration_s=result.duration_s,
        streams=budget.streams,
        settled=result.settled,
        samples_mbit=result.samples_mbit,
        low_mbit=low,
        high_mbit=high,
        counted="acked" if upload else "received",
        min_rtt_ms=round(run.min_rtt_us / 1000, 3) if run.min_rtt_us else None,
        retransmitted=round(run.retrans / run.sent_on_wire, 5) if run.sent_on_wire else None,
        error="; ".join(run.errors[:2]) if run.errors else None,
    )


def _download(plan: StreamPlan, run: _Run, st: _Stream) -> None:
    if plan.keep_alive:
        _download_kept_alive(plan, run, st)
        return
    buf = memoryview(bytearray(BUFFER_BYTES))
    ep = Endpoint.parse(plan.download_url())
    with _stream_failures(run, ep, _("The speed test server {server} stopped sending.")):
        while not run.stop.is_set():
            ep = Endpoint.parse(plan.download_url())
            sock = run.open(ep)
            try:
                sock.sendall(request_head("GET", ep, ep.path, "Connection: close\r\n"))
                head = read_head(sock, buf, ep)
                if head.status != 200:
                    raise http_status_error(head.status, ep)
                st.done += head.body_start
                got = head.body_start + _receive(run, st, sock, buf, None)
                if (
                    not run.stop.is_set()
                    and head.content_length is not None
                    and got < head.content_length
                ):
                    raise _closed_early(ep)
            finally:
                run.close(sock)


def _download_kept_alive(plan: StreamPlan, run: _Run, st: _Stream) -> None:
    """GETs on one connection, each next one sent when the current head
    arrives, so the server starts the next body without waiting a round trip."""
    buf = memoryview(bytearray(BUFFER_BYTES))
    ep = Endpoint.parse(plan.download_url())
    with _stream_failures(run, ep, _("The speed test server {server} stopped sending.")):
        while not run.stop.is_set():
            sock = run.open(ep)
            try:
                sock.sendall(request_head("GET", ep, ep.path, "Connection: keep-alive\r\n"))
                while not run.stop.is_set():
                    head = read_head(sock, buf, ep)
                    if head.status != 200:
                        raise http_status_error(head.status, ep)
                    length = head.content_length
                    if length is None or not head.keep_alive or head.body_start > length:
                        # no length to find the next answer by (or a body so small
                        # the head's read took the next answer too): to the close
                        st.done += min(head.body_start, length or head.body_start)
                        _receive(run, st, sock, buf, None)
                        break
                    ep = Endpoint.parse(plan.download_url())
                    sock.sendall(request_head("GET", ep, ep.path, "Connection: keep-alive\r\n"))
                    st.done += head.body_start
                    left = length - head.body_start
                    if _receive(run, st, sock, buf, left) < left and not run.stop.is_set():
                        raise _closed_early(ep)
            finally:
                run.close(sock)


def _receive(
    run: _Run, st: _Stream, sock: socket.socket, buf: memoryview, limit: int | None
) -> int:
    """Count body bytes until *limit* (None: until the server closes) or the stop."""
    got = 0
    while not run.stop.is_set() and (limit is None or got < limit):
        want = len(buf) if limit is None else min(len(buf), limit - got)
        try:
            n = sock.recv_into(buf[:want])
        except TimeoutError:
            if run.stalled():
                raise
            continue
        if n == 0:
            break
        got += n
        st.done += n
        run.last_progress = time.monotonic()
    return got


def _closed_early(ep: Endpoint) -> EngineError:
    return EngineError(
        _("The speed test server {server} closed the connection early.").format(server=ep.label)
    )


def _upload(plan: StreamPlan, run: _Run, st: _Stream) -> None:
    """POSTs on one kept-alive connection, each answer read only once the next
    request is on its way, so the send queue never drains while we wait."""
    block = _UPLOAD_BLOCK
    ep = Endpoint.parse(plan.upload_url())
    size = plan.upload_request_bytes
    with _stream_failures(run, ep, _("The speed test server {server} stopped receiving.")):
        sock: socket.socket | None = None
        answers = AnswerReader(ep)
        unanswered = 0
        try:
            while not run.stop.is_set():
                ep = Endpoint.parse(plan.upload_url())
                if sock is None:
                    sock = run.open(ep)
                    answers, unanswered = AnswerReader(ep), 0
                    with st.lock:
                        st.live, st.live_written = sock, 0
                sock.sendall(request_head(
                    "POST", ep, ep.path,
                    f"Content-Type: {plan.upload_content_type}\r\n"
                    f"Content-Length: {size}\r\nConnection: keep-alive\r\n",
                ))  # fmt: skip
                try:
                    _send_body(run, st, sock, block, size)
                except (BrokenPipeError, ConnectionResetError) as exc:
                    # a server refusing an upload (403/429) answers before the
                    # body and closes: its answer says why, not the broken pipe
                    answer = _early_answer(sock, answers, unanswered + 1)
                    if answer is None:
                        raise
                    raise answer from exc
                unanswered += 1
                if run.stop.is_set() or unanswered < 2:
                    continue  # the next request goes out before this answer is read
                status, keep_alive = answers.read(sock)
                unanswered -= 1
                if status != 200:
                    raise http_status_error(status, ep)
                if not keep_alive:
                    _retire(run, st, sock)
                    sock = None
        finally:
            if sock is not None:
                _retire(run, st, sock)


def _send_body(run: _Run, st: _Stream, sock: socket.socket, block: memoryview, size: int) -> None:
    left = size
    while left > 0 and not run.stop.is_set():
        try:
            n = sock.send(block[: min(left, len(block))])
        except TimeoutError:
            if run.stalled():
                raise
            continue
        left -= n
        st.live_written += n
        st.written += n
        run.last_progress = time.monotonic()


def _early_answer(sock: socket.socket, answers: AnswerReader, sent: int) -> EngineError | None:
    """The refusal a server sent before closing mid-upload, if it sent one
    (after the answers to the requests before it)."""
    with contextlib.suppress(OSError, EngineError):
        sock.settimeout(0.2)
        for _i in range(sent):
            status, _keep = answers.read(sock)
            if status != 200:
                return http_status_error(status, answers.ep)
    return None


def _retire(run: _Run, st: _Stream, sock: socket.socket) -> None:
    """Fold a finished upload connection's acknowledged bytes into the stream."""
    acked = acked_bytes(sock, st.live_written)
    with st.lock:
        st.done += acked
        st.live, st.live_written = None, 0
    run.close(sock)


@contextmanager
def _stream_failures(run: _Run, ep: Endpoint, stalled: str) -> Iterator[None]:
    """One stream's end: a failure is recorded unless the test was already
    stopping (closing sockets then raises by design); the stream always ends."""
    try:
        yield
    except TimeoutError:
        if not run.stop.is_set():
            run.fail(stalled.format(server=ep.label))
    except EngineError as exc:
        if not run.stop.is_set():
            run.fail(str(exc))
    except OSError as exc:
        if not run.stop.is_set():
            run.fail(_("Connection to {server} failed: {error}").format(
                server=ep.label, error=exc.strerror or exc))  # fmt: skip
    finally:
        run.ended()
