"""Shared plumbing for the speed-test servers: a fast threaded HTTP/1.1 base.

Both speed servers only ever send incompressible filler and swallow uploads,
so the hot paths are ``send_filler`` (one pre-generated random block, sent as
``memoryview`` slices with ``sendall``: no per-request allocation) and
``discard_body`` (reads into one reusable per-thread buffer).  The stdlib
``ThreadingHTTPServer`` is enough to saturate several Gbit/s on loopback with a
handful of parallel streams, which is all a home-network test ever needs.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: One mebibyte: LibreSpeed's chunk unit.
MIB = 1024 * 1024

#: Incompressible filler, generated once per process.
_RANDOM_BLOCK = os.urandom(4 * MIB)
RANDOM_VIEW = memoryview(_RANDOM_BLOCK)

_DISCARD = threading.local()


def _discard_buffer() -> memoryview:
    """A per-thread 1 MiB scratch buffer for swallowing request bodies."""
    buf: memoryview | None = getattr(_DISCARD, "buf", None)
    if buf is None:
        buf = memoryview(bytearray(MIB))
        _DISCARD.buf = buf
    return buf


class BodyTooLarge(Exception):
    """A chunked body declared a chunk size we refuse to parse."""


class FastHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler with helpers for filler and discarding."""

    protocol_version = "HTTP/1.1"
    server_version = "homecare-speedserver/1"
    sys_version = ""
    #: Set by ``make_server``; when false the access log stays silent.
    verbose = False

    def log_message(self, format: str, *args: object) -> None:
        if self.verbose:
            super().log_message(format, *args)

    # -- responses -----------------------------------------------------------------

    def send_bytes(
        self,
        body: bytes,
        content_type: str = "text/plain",
        status: int = 200,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Send a small in-memory body with the usual no-cache headers."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self._common_headers()
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_filler(
        self,
        n_bytes: int,
        content_type: str = "application/octet-stream",
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Stream ``n_bytes`` of incompressible bytes from the shared block
        (*headers*: a server's own, such as Cloudflare's ``Server-Timing``)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(n_bytes))
        for name, value in headers:
            self.send_header(name, value)
        self._common_headers()
        self.end_headers()
        if self.command == "HEAD":
            return
        remaining = n_bytes
        block = len(RANDOM_VIEW)
        try:
            while remaining > 0:
                n = min(remaining, block)
                self.connection.sendall(RANDOM_VIEW[:n])
                remaining -= n
        except OSError:
            # The client stops reading when its test window ends: normal.
            self.close_connection = True

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
        self.send_header("Pragma", "no-cache")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Encoding, Content-Type")

    # -- request bodies -----------------------------------------------------------

    def discard_body(self) -> int:
        """Read and drop the request body; return how many bytes it had."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._discard_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self._discard_exact(length)

    def _discard_exact(self, length: int) -> int:
        buf = _discard_buffer()
        remaining = length
        total = 0
        while remaining > 0:
            n = self.rfile.readinto(buf[: min(remaining, len(buf))])
            if not n:
                self.close_connection = True
                break
            remaining -= n
            total += n
        return total

    def _discard_chunked(self) -> int:
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                self.close_connection = True
                return total
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                self.close_connection = True
                return total
            if size > 1 << 40:
                raise BodyTooLarge(size)
            if size == 0:
                # Trailer section ends with an empty line.
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return total
            total += self._discard_exact(size)
            self.rfile.readline(8)  # CRLF after each chunk

    def do_OPTIONS(self) -> None:
        self.send_bytes(b"")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that resets the connection is how speed tests end (they
        abort with SO_LINGER 0 so nothing stays queued): not worth a traceback."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def server_bind(self) -> None:
        # Not HTTPServer.server_bind: that calls socket.getfqdn(), a reverse DNS
        # lookup that stalls for seconds where no resolver answers.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


def make_server(
    handler: type[FastHandler], bind: str, port: int, *, verbose: bool = False
) -> ThreadingHTTPServer:
    """Create (and bind) a threaded server; ``port`` 0 picks a free port."""
    handler.verbose = verbose
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    server_cls: type[_Server] = type("_BoundServer", (_Server,), {"address_family": family})
    return server_cls((bind, port), handler)


def serve_forever_on(servers: Sequence[socketserver.BaseServer]) -> None:
    """Serve several listening servers until interrupted (one thread each)."""
    threads = [
        threading.Thread(target=s.serve_forever, name=f"serve-{i}", daemon=True)
        for i, s in enumerate(servers)
    ]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        pass
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def run_until_signalled(start: Callable[[], Sequence[socketserver.BaseServer]]) -> int:
    """CLI helper: start servers, exit cleanly on SIGTERM/SIGINT."""
    import signal

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    servers = start()
    for s in servers:
        print(f"listening on {s.server_address!r}", flush=True)
    serve_forever_on(servers)
    return 0
