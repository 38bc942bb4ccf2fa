"""One thread drives every HTTP stream of a direction, on non-blocking sockets.

Why not a thread per stream: with 16 streams at gigabits, 16 Python threads
hand the interpreter lock to each other after every ``recv``/``send``, and
on a two-core machine shared with the server and the line, those hand-offs
cost speedtest.net's and LibreSpeed's 16 streams up to a tenth of the line
and a wide spread between runs (issue 13). One selector loop wakes for
whichever sockets are ready and moves as much as each will take, so the
work per byte is the same and no thread waits for another.

Each connection is a small state machine: connecting, TLS handshake, then
HTTP. Downloads parse answer heads off the byte stream and count body bytes
received; with a kept-alive plan the next GET goes out as soon as the current
answer's head arrived. Uploads keep one POST in advance of the answers and
count what the server acknowledged (``TCP_INFO``). A connection that fails
ends its stream with the reason; the others carry on.
"""

from __future__ import annotations

import errno
import itertools
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from homecare.i18n import _
from homecare.probes.speed.engine import EngineError
from homecare.probes.speed.http_streams import (
    HEADER_LIMIT,
    AnswerParser,
    Endpoint,
    connect_failed,
    http_status_error,
    parse_head,
    request_head,
    tls_failed,
)
from homecare.probes.speed.names import Address, look_up
from homecare.probes.speed.tcp_info import abort, acked_bytes, tcp_info, unread_bytes

IO_TIMEOUT_S = 2.0  # a healthy line never goes silent this long mid-test
CHUNK = 1024 * 1024  # one read or write: few system calls per gigabit
#: Reads or writes per wake-up of one socket, so one fast stream cannot
#: starve the loop's other sockets.
MOVES_PER_WAKE = 8
#: Loops (threads) per direction: one per core, up to this many.
MAX_LOOPS = 4
_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError, InterruptedError)
#: One shared block of random bytes for every upload stream (flat memory).
_UPLOAD_BLOCK = memoryview(os.urandom(CHUNK))


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


class Stream:
    """One stream's counters: body bytes received (downloads), bytes handed
    to ``send`` and acknowledged on retired connections (uploads)."""

    def __init__(self) -> None:
        self.received = 0
        self.written = 0
        self.acked_done = 0
        self.live: Conn | None = None
        self.ended = False


class Run:
    """One direction's streams and the figures every loop adds to."""

    def __init__(self, plan: StreamPlan, n: int, upload: bool) -> None:
        self.plan = plan
        self.upload = upload
        self.streams = [Stream() for _ in range(n)]
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.last_progress = time.monotonic()
        self.lock = threading.Lock()  # the meter reads live upload sockets; loops add figures
        self.retrans = 0
        self.sent_on_wire = 0
        self.min_rtt_us: int | None = None
        self._addresses: dict[tuple[str, int], Address] = {}
        self._names = threading.Lock()  # one lookup per name, whichever loop asks first

    def address(self, ep: Endpoint, timeout_s: float = IO_TIMEOUT_S) -> Address:
        """The server's address, looked up once per test for every loop (the
        URL's host never changes), within *timeout_s* (``names.look_up``)."""
        key = (ep.host, ep.port)
        with self._names:
            if key not in self._addresses:
                self._addresses[key] = look_up(ep.host, ep.port, ep.label, timeout_s)
            return self._addresses[key]

    def loops(self, count: int) -> list[Loop]:
        """The streams dealt round to *count* loops (at least one stream each)."""
        count = max(1, min(count, len(self.streams)))
        return [Loop(self, self.streams[i::count]) for i in range(count)]

    def total(self) -> int:
        """Bytes counted so far: arrived (read, plus waiting in the live sockets'
        receive queues: ``unread_bytes``), or acknowledged by the server."""
        if not self.upload:
            with self.lock:  # a live socket is not retired (closed) while we ask it
                return sum(
                    s.received + (unread_bytes(s.live.sock) if s.live else 0) for s in self.streams
                )
        with self.lock:
            return sum(
                s.acked_done + (acked_bytes(s.live.sock, s.live.written) if s.live else 0)
                for s in self.streams
            )

    def moved(self) -> int:
        """Bytes taken from / handed to the sockets (what the test cost the line)."""
        return sum(s.written if self.upload else s.received for s in self.streams)

    def fail(self, message: str) -> None:
        with self.lock:
            if message not in self.errors:
                self.errors.append(message)

    def ended(self, st: Stream) -> None:
        st.ended = True
        if all(s.ended for s in self.streams):
            self.stop.set()


class Loop:
    """One thread's selector over its share of the streams.

    A few loops (one per core, at most ``MAX_LOOPS``), not one: the kernel's
    copying runs in the calling thread, so one loop serialises it on one core,
    and on a busy machine the scheduler shares the CPU per thread, so a single
    loop competed with one thread's share where the threaded engine had
    sixteen (loopback, load 9-15: 6.1 against 8.0 Gbit/s)."""

    def __init__(self, run: Run, streams: list[Stream]) -> None:
        self.shared = run
        self.plan = run.plan
        self.upload = run.upload
        self.streams = streams
        self.sel = selectors.DefaultSelector()
        self.buf = memoryview(bytearray(CHUNK))
        self._tls: ssl.SSLContext | None = None

    def run(self) -> None:
        """Drive the streams until the meter stops them (or they all failed)."""
        stop = self.shared.stop
        try:
            for st in self.streams:
                self._open(st)
            next_check = time.monotonic() + 0.1
            while not stop.is_set():
                if not self.sel.get_map():
                    break
                for key, mask in self.sel.select(0.05):
                    conn: Conn = key.data
                    self._step(conn, mask)
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + 0.1
                    self._check_stalls(now)
        finally:
            self.close_all()

    def _step(self, conn: Conn, mask: int) -> None:
        try:
            conn.step(mask)
        except (EngineError, OSError) as exc:
            self._end(conn, exc)
            return
        if conn.finished:  # a whole answer or a closed connection: the next one
            self._retire(conn)
            self._open(conn.stream)
        else:
            conn.watch()

    def _check_stalls(self, now: float) -> None:
        run_stalled = now - self.shared.last_progress >= IO_TIMEOUT_S
        for key in list(self.sel.get_map().values()):
            conn: Conn = key.data
            if now - conn.last_io < IO_TIMEOUT_S:
                continue
            if conn.phase in ("connect", "tls"):
                self._end(conn, EngineError(
                    _("The speed test server {server} did not answer.").format(server=conn.ep.label)
                ))  # fmt: skip
            elif run_stalled:
                self._end(conn, TimeoutError())

    def _end(self, conn: Conn, exc: BaseException) -> None:
        """A stream's failure: recorded unless the test is stopping anyway."""
        if not self.shared.stop.is_set():
            self.shared.fail(conn.describe(exc))
        self._retire(conn)
        self.shared.ended(conn.stream)

    def _open(self, st: Stream) -> None:
        if self.shared.stop.is_set():
            return
        url = self.plan.upload_url() if self.upload else self.plan.download_url()
        try:
            ep = Endpoint.parse(url)
            sock = self._connect(ep)
        except EngineError as exc:
            self.shared.fail(str(exc))
            self.shared.ended(st)
            return
        conn: Conn = (Upload if self.upload else Download)(self, st, ep, sock)
        with self.shared.lock:
            st.live = conn
        conn.watch()

    def _connect(self, ep: Endpoint) -> socket.socket:
        family, address = self.shared.address(ep)
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            raise connect_failed(ep.label, exc) from exc
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        err = sock.connect_ex(address)
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            raise connect_failed(ep.label, OSError(err, errno.errorcode.get(err, str(err))))
        return sock

    def tls(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _retire(self, conn: Conn) -> None:
        """Account the connection's TCP figures and acknowledged bytes, then abort it."""
        info = tcp_info(conn.sock)
        run = self.shared
        with run.lock:
            if conn.stream.live is conn:
                conn.stream.live = None
            if self.upload:
                conn.stream.acked_done += acked_bytes(conn.sock, conn.written)
            if info is not None:
                run.retrans += info.bytes_retrans
                run.sent_on_wire += info.bytes_sent
                if info.min_rtt_us and (run.min_rtt_us is None or info.min_rtt_us < run.min_rtt_us):
                    run.min_rtt_us = info.min_rtt_us
            if conn.registered:
                self.sel.unregister(conn.sock)
                conn.registered = False
            abort(conn.sock)

    def close_all(self) -> None:
        """Abort every connection still open (SO_LINGER 0: nothing stays queued)."""
        for key in list(self.sel.get_map().values()):
            self._retire(key.data)
        self.sel.close()


class Conn:
    """One connection's state: connecting, TLS handshake, then HTTP."""

    def __init__(self, loop: Loop, stream: Stream, ep: Endpoint, sock: socket.socket) -> None:
        self.loop = loop
        self.stream = stream
        self.ep = ep
        self.sock = sock
        self.phase = "connect"
        self.last_io = time.monotonic()
        self.registered = False
        self.mask = 0
        self.finished = False
        self.written = 0  # upload body bytes handed to send on this connection
        self.out = b""  # request heads not yet sent

    def watch(self) -> None:
        """Tell the selector what this connection waits for now."""
        want = self.wants()
        if not self.registered:
            self.loop.sel.register(self.sock, want, self)
            self.registered = True
        elif want != self.mask:
            self.loop.sel.modify(self.sock, want, self)
        self.mask = want

    def wants(self) -> int:
        if self.phase == "connect":
            return selectors.EVENT_WRITE
        if self.phase == "tls":
            return self.tls_wants
        return selectors.EVENT_READ | (selectors.EVENT_WRITE if self.sending() else 0)

    def step(self, mask: int) -> None:
        if self.phase == "connect":
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise connect_failed(self.ep.label, OSError(err, errno.errorcode.get(err, "")))
            self.last_io = time.monotonic()
            if self.ep.scheme == "https":
                self._start_tls()
                return
            self.phase = "http"
            self.opened()
            return
        if self.phase == "tls":
            self._handshake()
            return
        if mask & selectors.EVENT_READ:
            self.readable()
        if mask & selectors.EVENT_WRITE and self.sending() and not self.finished:
            self.writable()

    def _start_tls(self) -> None:
        self.loop.sel.unregister(self.sock)
        self.registered = False
        try:
            self.sock = self.loop.tls().wrap_socket(
                self.sock, server_hostname=self.ep.host, do_handshake_on_connect=False
            )
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise tls_failed(self.ep.label, exc) from exc
        self.phase = "tls"
        self.tls_wants = selectors.EVENT_WRITE
        self._handshake()

    def _handshake(self) -> None:
        assert isinstance(self.sock, ssl.SSLSocket)
        try:
            self.sock.do_handshake()
        except ssl.SSLWantReadError:
            self.tls_wants = selectors.EVENT_READ
            return
        except ssl.SSLWantWriteError:
            self.tls_wants = selectors.EVENT_WRITE
            return
        except (ssl.SSLError, OSError) as exc:
            raise tls_failed(self.ep.label, exc) from exc
        self.last_io = time.monotonic()
        self.phase = "http"
        self.opened()

    def moved(self) -> None:
        now = time.monotonic()
        self.last_io = self.loop.shared.last_progress = now

    def send_head(self) -> bool:
        """Send what is left of the request head; True once it is all out."""
        while self.out:
            try:
                n = self.sock.send(self.out)
            except _WOULD_BLOCK:
                return False
            self.out = self.out[n:]
        return True

    def recv_more(self) -> bytes | None:
        """One read of at most a head's size; None when nothing is there yet."""
        try:
            return self.sock.recv(HEADER_LIMIT)
        except _WOULD_BLOCK:
            return None

    # subclasses
    tls_wants = selectors.EVENT_WRITE

    def opened(self) -> None:
        raise NotImplementedError

    def sending(self) -> bool:
        raise NotImplementedError

    def readable(self) -> None:
        raise NotImplementedError

    def writable(self) -> None:
        raise NotImplementedError

    def describe(self, exc: BaseException) -> str:
        """The sentence a failure of this connection becomes."""
        if isinstance(exc, EngineError):
            return str(exc)
        if isinstance(exc, TimeoutError):
            text = (
                _("The speed test server {server} stopped receiving.")
                if self.loop.upload
                else _("The speed test server {server} stopped sending.")
            )
            return text.format(server=self.ep.label)
        assert isinstance(exc, OSError)
        return _("Connection to {server} failed: {error}").format(
            server=self.ep.label, error=exc.strerror or exc
        )


def _closed_early(ep: Endpoint) -> EngineError:
    return EngineError(
        _("The speed test server {server} closed the connection early.").format(server=ep.label)
    )


class Download(Conn):
    """GETs on one connection: answer heads parsed off the stream, body bytes counted.

    A kept-alive plan sends the next GET as soon as the current answer's
    head is in, so the server starts the next body without a round trip's
    pause; otherwise each GET has its connection, read to its end."""

    head: bytearray | None
    body_left: int | None

    def opened(self) -> None:
        self.head = bytearray()
        self.body_left = None
        self.reuse = False
        self.answered = 0  # answer heads parsed on this connection
        self._ask()

    def _ask(self) -> None:
        ep = Endpoint.parse(self.loop.plan.download_url())
        how = "keep-alive" if self.loop.plan.keep_alive else "close"
        self.out += request_head("GET", ep, ep.path, f"Connection: {how}\r\n")
        self.send_head()

    def sending(self) -> bool:
        return bool(self.out)

    def writable(self) -> None:
        self.send_head()

    def readable(self) -> None:
        buf = self.loop.buf
        for i in itertools.count():
            if self.finished or (i >= MOVES_PER_WAKE and not tls_pending(self.sock)):
                return
            if self.head is not None:
                data = self.recv_more()
                if data is None:
                    return
                if not data:
                    if self.head or not self.answered:
                        raise _closed_early(self.ep)
                    self.finished = True  # the server ended a kept-alive connection: anew
                    return
                self.head += data
                self._parse_heads()
                continue
            want = len(buf) if self.body_left is None else min(len(buf), self.body_left)
            try:
                n = self.sock.recv_into(buf[:want])
            except _WOULD_BLOCK:
                return
            if n == 0:
                if self.body_left is not None:
                    raise _closed_early(self.ep)
                self.finished = True  # a body without a length ends with its connection
                return
            self._count(n)

    def _count(self, n: int) -> None:
        self.stream.received += n
        self.moved()
        if self.body_left is None:
            return
        self.body_left -= n
        if self.body_left > 0:
            return
        if self.reuse:
            self.head, self.body_left = bytearray(), None  # the next answer's head
        else:
            self.finished = True

    def _parse_heads(self) -> None:
        """Parse every whole head in ``self.head``; what follows one is its body."""
        assert self.head is not None
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            if len(self.head) >= HEADER_LIMIT:
                raise EngineError(
                    _("The speed test server {server} sent garbage.").format(server=self.ep.label)
                )
            return
        status, length, keep_alive, _server_s = parse_head(bytes(self.head[:end]), self.ep)
        rest = bytes(self.head[end + 4 :])
        if status != 200:
            raise http_status_error(status, self.ep)
        self.answered += 1
        self.reuse = self.loop.plan.keep_alive and keep_alive and length is not None
        self.head, self.body_left = None, length
        if self.reuse:
            self._ask()
        if not rest:
            return
        take = len(rest) if length is None else min(len(rest), length)
        self._count(take)
        if self.head is not None and len(rest) > take:  # a small body: the next head began
            self.head += rest[take:]
            self._parse_heads()


class Upload(Conn):
    """POSTs on one kept-alive connection, one request in advance of the answers,
    so the send queue never drains while an answer is on its way."""

    def opened(self) -> None:
        self.answers = AnswerParser(self.ep)
        self.body_left = 0
        self.unanswered = 0  # requests sent whole whose answers have not come
        self._start_request()

    def _start_request(self) -> None:
        plan = self.loop.plan
        ep = Endpoint.parse(plan.upload_url())
        size = plan.upload_request_bytes
        self.out = request_head("POST", ep, ep.path,
            f"Content-Type: {plan.upload_content_type}\r\n"
            f"Content-Length: {size}\r\nConnection: keep-alive\r\n",
        )  # fmt: skip
        self.body_left = size

    def sending(self) -> bool:
        return bool(self.out) or self.body_left > 0

    def writable(self) -> None:
        block = _UPLOAD_BLOCK
        try:
            if not self.send_head():
                return
            for _i in range(MOVES_PER_WAKE):
                try:
                    n = self.sock.send(block[: min(self.body_left, len(block))])
                except _WOULD_BLOCK:
                    return
                self.body_left -= n
                self.written += n
                self.stream.written += n
                self.moved()
                if self.body_left == 0:
                    self.unanswered += 1
                    if self.unanswered < 2:
                        self._start_request()  # the next one goes out before this answer
                    return
        except (BrokenPipeError, ConnectionResetError) as exc:
            # a server refusing an upload (403/429) answers before the body and
            # closes: its answer says why, not the broken pipe
            refusal = self._refusal()
            if refusal is not None:
                raise refusal from exc
            raise

    def _refusal(self) -> EngineError | None:
        try:
            data = self.sock.recv(HEADER_LIMIT)
        except OSError:
            return None
        try:
            for status, _keep in self.answers.feed(data):
                if status != 200:
                    return http_status_error(status, self.ep)
        except EngineError as exc:
            return exc
        return None

    def readable(self) -> None:
        for i in itertools.count():
            if self.finished or (i >= MOVES_PER_WAKE and not tls_pending(self.sock)):
                return
            data = self.recv_more()
            if data is None:
                return
            if not data:
                if self.sending() or self.unanswered:
                    raise _closed_early(self.ep)
                self.finished = True
                return
            for status, keep_alive in self.answers.feed(data):
                self.unanswered -= 1
                if status != 200:
                    raise http_status_error(status, self.ep)
                if not keep_alive:
                    self.finished = True  # the server ends this connection: a new one
                    return
            if not self.sending() and self.unanswered < 2:
                self._start_request()


def tls_pending(sock: socket.socket) -> bool:
    """Decrypted bytes TLS holds already: the selector cannot see them."""
    return isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
