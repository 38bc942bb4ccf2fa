"""An ndt7 server (M-Lab's ``net.measurementlab.ndt.v7``, spec v0.9) and a
Locate API v2 answer, for the virtual home's provider namespace.

It follows ``spec/ndt7-protocol.md`` of m-lab/ndt-server:

* ``/ndt/v7/download`` and ``/ndt/v7/upload`` upgrade to WebSocket only with
  the ndt7 subprotocol and a parseable query string of at most 4096 bytes;
  anything else gets a 4xx;
* download: binary messages of random bytes, starting at 1 << 13 bytes and
  doubling while smaller than 1/16 of what was sent (the spec's appendix);
* both directions: a JSON measurement every 250 ms (at most ten a second)
  with ``AppInfo``, ``ConnectionInfo`` and ``TCPInfo`` from the kernel's
  ``TCP_INFO`` (``BytesReceived`` is what an upload's rate comes from);
* the server ends each test after ten seconds with a closing handshake,
  and tolerates an abrupt reset from the client;
* ``GET /v2/nearest/ndt/ndt7`` answers like M-Lab's Locate API v2: one
  result whose ``urls`` map ``ws:///ndt/v7/download`` etc. to this server.

Checked by homecare's own client and by M-Lab's ``@m-lab/ndt7`` under Node
(``lab/ndt7-client``). Run inside a namespace (never on the host):
``python -m homecare_lab.ndt7_server --bind ADDR --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from homecare.probes.speed.tcp_info import tcp_info

SUBPROTOCOL = "net.measurementlab.ndt.v7"
DOWNLOAD_PATH = "/ndt/v7/download"
UPLOAD_PATH = "/ndt/v7/upload"
LOCATE_PATH = "/v2/nearest/ndt/ndt7"
MAX_MESSAGE = 1 << 24  # the spec's lower bound for the receive limit
MAX_SEND_MESSAGE = 1 << 20
MEASURE_EVERY_S = 0.25
_RANDOM = os.urandom(MAX_SEND_MESSAGE)
_MESSAGES = {1 << k: _RANDOM[: 1 << k] for k in range(13, 21)}


def locate_document(host: str, port: int, machine: str = "ndt-lab") -> dict[str, Any]:
    """What Locate API v2 ``/v2/nearest/ndt/ndt7`` returns, pointing here."""
    base = f"ws://{host}:{port}"
    token = "access_token=lab"  # noqa: S105 (the lab checks no token)
    return {
        "results": [
            {
                "machine": machine,
                "location": {"city": "Lab", "country": "TL"},
                "urls": {
                    "ws:///ndt/v7/download": f"{base}{DOWNLOAD_PATH}?{token}",
                    "ws:///ndt/v7/upload": f"{base}{UPLOAD_PATH}?{token}",
                },
            }
        ]
    }


def _reply(status: HTTPStatus, body: bytes, content_type: str = "text/plain") -> Response:
    headers = Headers(
        [("Content-Type", content_type), ("Content-Length", str(len(body))),
         ("Connection", "close"), ("Cache-Control", "no-store")]
    )  # fmt: skip
    return Response(status.value, status.phrase, headers, body)


def check_request(request: Request, advertise: tuple[str, int]) -> Response | None:
    """A Locate answer, a 4xx for a request the spec says to refuse, or None
    to go on with the WebSocket upgrade."""
    parts = urlsplit(request.path)
    if parts.path == LOCATE_PATH:
        body = json.dumps(locate_document(*advertise)).encode()
        return _reply(HTTPStatus.OK, body, "application/json")
    if parts.path not in (DOWNLOAD_PATH, UPLOAD_PATH):
        return _reply(HTTPStatus.NOT_FOUND, b"not found\n")
    if len(parts.query) > 4096:
        return _reply(HTTPStatus.BAD_REQUEST, b"query string too long\n")
    try:
        parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        return _reply(HTTPStatus.BAD_REQUEST, b"query string not parseable\n")
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if SUBPROTOCOL not in offered:
        return _reply(HTTPStatus.BAD_REQUEST, b"missing the ndt7 subprotocol\n")
    return None


def _endpoint(addr: Any) -> str:
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _Test:
    """One test's clock, counters and measurement messages."""

    def __init__(self, conn: ServerConnection, test: str) -> None:
        self.conn = conn
        self.test = test
        self.started = time.monotonic()
        self.start_time = datetime.now(UTC).isoformat()
        self.app_bytes = 0
        self.sock: socket.socket | None = conn.transport.get_extra_info("socket")

    def elapsed_us(self) -> int:
        return int((time.monotonic() - self.started) * 1e6)

    def measurement(self) -> str:
        doc: dict[str, Any] = {
            "AppInfo": {"ElapsedTime": self.elapsed_us(), "NumBytes": self.app_bytes},
            "ConnectionInfo": {
                "Client": _endpoint(self.conn.remote_address),
                "Server": _endpoint(self.conn.local_address),
                "StartTime": self.start_time,
            },
            "Origin": "server",
            "Test": self.test,
        }
        info = tcp_info(self.sock) if self.sock is not None else None
        if info is not None:
            doc["TCPInfo"] = {
                "BusyTime": info.busy_time_us,
                "BytesAcked": max(0, info.bytes_acked - 1),
                "BytesReceived": info.bytes_received,
                "BytesSent": info.bytes_sent,
                "BytesRetrans": info.bytes_retrans,
                "ElapsedTime": self.elapsed_us(),
                "MinRTT": info.min_rtt_us,
                "RTT": info.rtt_us,
                "RTTVar": info.rtt_var_us,
                "RWndLimited": info.rwnd_limited_us,
                "SndBufLimited": info.sndbuf_limited_us,
            }
        return json.dumps(doc)


async def _download(t: _Test, duration_s: float) -> None:
    size = 1 << 13
    next_measure = t.started
    while time.monotonic() - t.started < duration_s:
        await t.conn.send(_MESSAGES[size])
        t.app_bytes += size
        if size < MAX_SEND_MESSAGE and size < t.app_bytes / 16:
            size *= 2
        if time.monotonic() >= next_measure:
            await t.conn.send(t.measurement())
            next_measure += MEASURE_EVERY_S


async def _upload(t: _Test, duration_s: float) -> None:
    async def measure() -> None:
        while True:
            await asyncio.sleep(MEASURE_EVERY_S)
            await t.conn.send(t.measurement())

    reporter = asyncio.create_task(measure())
    try:
        async with asyncio.timeout(duration_s):
            async for message in t.conn:
                if isinstance(message, bytes):
                    t.app_bytes += len(message)
    except TimeoutError:
        pass
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
            await reporter
    with contextlib.suppress(ConnectionClosed):
        await t.conn.send(t.measurement())  # the last one is the summary


async def _handle(conn: ServerConnection, duration_s: float) -> None:
    path = urlsplit(conn.request.path if conn.request else "").path
    test = "download" if path == DOWNLOAD_PATH else "upload"
    t = _Test(conn, test)
    # the spec tolerates an abrupt end: a client that resets is not an error
    with contextlib.suppress(ConnectionClosed, OSError):
        if test == "download":
            await _download(t, duration_s)
        else:
            await _upload(t, duration_s)
        await conn.close()


async def start_ndt7_server(
    bind: str,
    port: int,
    *,
    advertise: str | None = None,
    duration_s: float = 10.0,
    tls: ssl.SSLContext | None = None,
) -> Server:
    """A serving ndt7 + Locate server; *advertise* is the host in Locate's URLs;
    with *tls* it speaks wss (a lab CA's certificate, ``lab_ca``)."""

    def process_request(conn: ServerConnection, request: Request) -> Response | None:
        host = advertise or bind
        real_port = conn.local_address[1]
        return check_request(request, (host, real_port))

    async def handler(conn: ServerConnection) -> None:
        await _handle(conn, duration_s)

    return await serve(
        handler, bind, port,
        subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
        process_request=process_request,
        compression=None, max_size=MAX_MESSAGE, max_queue=64,
        write_limit=4 * 1024 * 1024, ping_interval=None, ssl=tls,
    )  # fmt: skip


@contextlib.contextmanager
def background_ndt7_server(
    duration_s: float = 10.0, tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """For tests: a server on 127.0.0.1 (any free port) on its own event-loop
    thread; yields its Locate URL."""
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        start_ndt7_server("127.0.0.1", 0, duration_s=duration_s, tls=tls)
    )
    port = next(iter(server.sockets)).getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True, name="ndt7-lab")
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}{LOCATE_PATH}"
    finally:

        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


async def _serve_until_signalled(bind: str, port: int, advertise: str | None) -> None:
    server = await start_ndt7_server(bind, port, advertise=advertise)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ndt7 + Locate v2 test server (lab only)")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8007)
    parser.add_argument("--advertise", help="host put in the Locate answer (default: --bind)")
    args = parser.parse_args(argv)
    asyncio.run(_serve_until_signalled(args.bind, args.port, args.advertise))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
