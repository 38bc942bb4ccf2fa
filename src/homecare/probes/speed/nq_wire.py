"""The responsiveness test's wire side: the ``/.well-known/nq`` configuration,
load-generating connections and foreign probes, over HTTP/1.1.

HTTP/1.1 cannot multiplex a small request onto a connection busy with an
endless download, so "self probes" take the kernel's round-trip estimate of a
load-generating connection, as the draft allows for that case: on an upload
the sender's smoothed RTT, on a download the receiver's (``tcpi_rcv_rtt``,
from TCP timestamps: our ACK's timestamp echoed on data that crossed every
queue on the way back, which a bloated downlink fills).
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from homecare.i18n import _
from homecare.probes.speed.engine import EngineError
from homecare.probes.speed.http_streams import (
    BUFFER_BYTES,
    Endpoint,
    http_status_error,
    open_tcp,
    read_head,
    request_head,
    wrap_tls,
)
from homecare.probes.speed.names import look_up
from homecare.probes.speed.tcp_info import abort, acked_bytes, tcp_info

CONFIG_LIMIT = 64 * 1024
#: Content-Length of an upload: "arbitrary", never reached.
UPLOAD_BYTES = 1 << 40
_TCP_INFO = getattr(socket, "TCP_INFO", 11)
_UPLOAD_BLOCK = memoryview(bytes(BUFFER_BYTES))


@dataclass(frozen=True)
class NqConfig:
    """The three URLs of a responsiveness server, and where to connect."""

    small: Endpoint
    large: Endpoint
    upload: Endpoint
    connect_host: str  # the URLs' host, or the config's test_endpoint (fetch_config: its address)

    @property
    def label(self) -> str:
        return self.large.label


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _v in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate names")
    return dict(pairs)


def parse_config(body: bytes, server: str) -> NqConfig:
    """The draft's rules: version 1, the three URLs once each, http(s), one host;
    unknown names ignored; anything else makes the whole object unusable."""

    def bad(why: str) -> EngineError:
        return EngineError(
            _("The responsiveness server {server} sent an unusable configuration: {why}").format(
                server=server, why=why
            )
        )

    try:
        doc = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad(_("not JSON, or a name given twice")) from exc
    if not isinstance(doc, dict) or doc.get("version") != 1 or isinstance(doc["version"], bool):
        raise bad(_("version is not 1"))
    urls = doc.get("urls")
    names = ("small_download_url", "large_download_url", "upload_url")
    if not isinstance(urls, dict) or not all(isinstance(urls.get(n), str) for n in names):
        raise bad(_("a URL is missing"))
    try:
        small, large, upload = (Endpoint.parse(urls[n]) for n in names)
    except EngineError as exc:
        raise bad(str(exc)) from exc
    if len({(e.host, e.port) for e in (small, large, upload)}) != 1:
        raise bad(_("the URLs name different hosts"))
    endpoint = doc.get("test_endpoint")
    if endpoint is not None and (not isinstance(endpoint, str) or not endpoint.strip()):
        raise bad(_("test_endpoint is not a host name"))
    return NqConfig(small, large, upload, endpoint.strip() if endpoint else large.host)


def open_connection(
    ep: Endpoint, connect_host: str, timeout_s: float
) -> tuple[socket.socket, float, float | None]:
    """A connected socket; also the TCP handshake time and the TLS handshake time
    per round trip (TLS 1.3 takes one, 1.2 two), in milliseconds."""
    t0 = time.perf_counter()
    sock = open_tcp(connect_host, ep.port, ep.label, timeout_s)
    t1 = time.perf_counter()
    if ep.scheme != "https":
        return sock, (t1 - t0) * 1000, None
    tls = wrap_tls(sock, ep)
    trips = 1 if tls.version() == "TLSv1.3" else 2
    return tls, (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000 / trips


def read_body(sock: socket.socket, ep: Endpoint, limit: int) -> bytes:
    """One whole response body (at most *limit* bytes) after a 200."""
    buf = memoryview(bytearray(16 * 1024))
    head = read_head(sock, buf, ep)
    if head.status != 200:
        raise http_status_error(head.status, ep)
    want = head.content_length
    garbage = _("The speed test server {server} sent garbage.").format(server=ep.label)
    if want is not None and want > limit:
        raise EngineError(garbage)
    start = bytes(buf).find(b"\r\n\r\n") + 4
    body = bytearray(buf[start : start + head.body_start])
    while want is None or len(body) < want:
        chunk = sock.recv(64 * 1024)
        if not chunk:
            if want is None:
                break
            raise EngineError(
                _("The speed test server {server} closed the connection early.").format(
                    server=ep.label
                )
            )
        body += chunk
        if len(body) > limit:
            raise EngineError(garbage)
    return bytes(body[:want] if want is not None else body)


def resolve(host: str, label: str, timeout_s: float) -> str:
    """The first address of *host* (a literal is itself), or one EngineError.

    nq resolves each name once, so no probe waits on DNS (the draft's
    formula has no DNS term); ``names.look_up`` bounds the lookup."""
    return str(look_up(host, 0, label, timeout_s)[1][0])


def fetch_config(url: str, timeout_s: float) -> NqConfig:
    """The server's configuration, with the host to connect to already resolved."""
    end = time.monotonic() + timeout_s
    ep = Endpoint.parse(url)
    address = resolve(ep.host, ep.label, timeout_s)
    sock, _tcp, _tls = open_connection(ep, address, max(0.1, end - time.monotonic()))
    try:
        sock.sendall(request_head("GET", ep, ep.path, "Accept: application/json\r\n"
                                  "Connection: close\r\n"))  # fmt: skip
        body = read_body(sock, ep, CONFIG_LIMIT)
    except OSError as exc:
        raise io_error(exc, ep) from exc
    finally:
        abort(sock)
    cfg = parse_config(body, ep.label)
    host = cfg.connect_host
    connect = address if host == ep.host else resolve(host, cfg.label, end - time.monotonic())
    return replace(cfg, connect_host=connect)


def io_error(exc: OSError, ep: Endpoint) -> EngineError:
    """A send or receive that failed after the connection was made, as one sentence."""
    if isinstance(exc, TimeoutError):
        return EngineError(
            _("The speed test server {server} stopped answering.").format(server=ep.label)
        )
    return EngineError(
        _("Connection to {server} failed: {error}").format(
            server=ep.label, error=exc.strerror or exc
        )
    )


@dataclass(frozen=True)
class ForeignProbe:
    tcp_ms: float
    tls_ms: float | None
    http_ms: float


def foreign_probe(cfg: NqConfig, timeout_s: float) -> ForeignProbe:
    """A new connection and a GET of the small object: how long each step took."""
    ep = cfg.small
    sock, tcp_ms, tls_ms = open_connection(ep, cfg.connect_host, timeout_s)
    try:
        t0 = time.perf_counter()
        sock.sendall(request_head("GET", ep, ep.path, "Connection: close\r\n"))
        read_body(sock, ep, 16 * 1024)
        return ForeignProbe(tcp_ms, tls_ms, (time.perf_counter() - t0) * 1000)
    finally:
        abort(sock)


def receiver_rtt_ms(sock: socket.socket) -> float | None:
    """``tcpi_rcv_rtt`` (offset 92 of ``struct tcp_info``), None when unknown."""
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 104)
    except (OSError, ValueError):
        return None
    if len(raw) < 96:
        return None
    (us,) = struct.unpack_from("=I", raw, 92)
    return us / 1000 if us else None


class LoadConnection:
    """One load-generating connection: an endless GET, or a POST that never ends."""

    def __init__(self, cfg: NqConfig, upload: bool, stop: threading.Event) -> None:
        self.cfg, self.upload, self.stop = cfg, upload, stop
        self.received = 0
        self.written = 0
        self.sock: socket.socket | None = None
        self.error: str | None = None
        self.min_rtt_us: int | None = None
        self.retrans = 0
        self.sent_on_wire = 0
        self._final_acked = 0
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True, name="nq-load")

    def counted(self) -> int:
        """Bytes received (download) or acknowledged by the server (upload)."""
        if not self.upload:
            return self.received
        with self._lock:
            sock = self.sock
            return acked_bytes(sock, self.written) if sock is not None else self._final_acked

    def self_rtt_ms(self) -> float | None:
        """The kernel's round trip of this loaded connection (the self probe)."""
        with self._lock:
            sock = self.sock
            if sock is None:
                return None
            if self.upload:
                info = tcp_info(sock)
                return info.rtt_us / 1000 if info is not None and info.rtt_us else None
            return receiver_rtt_ms(sock)

    def _run(self) -> None:
        ep = self.cfg.upload if self.upload else self.cfg.large
        try:
            sock, _tcp, _tls = open_connection(ep, self.cfg.connect_host, 5.0)
            with self._lock:
                self.sock = sock
            if self.stop.is_set():
                return
            if self.upload:
                self._send(sock, ep)
            else:
                self._receive(sock, ep)
        except (EngineError, OSError) as exc:
            if not self.stop.is_set():
                self.error = str(exc if isinstance(exc, EngineError) else io_error(exc, ep))
        finally:
            self.close()

    def _receive(self, sock: socket.socket, ep: Endpoint) -> None:
        buf = memoryview(bytearray(BUFFER_BYTES))
        sock.sendall(request_head("GET", ep, ep.path, "Connection: close\r\n"))
        head = read_head(sock, buf, ep)
        if head.status != 200:
            raise http_status_error(head.status, ep)
        self.received += head.body_start
        while not self.stop.is_set():
            n = sock.recv_into(buf)
            if n == 0:
                raise EngineError(
                    _("The speed test server {server} closed the connection early.").format(
                        server=ep.label
                    )
                )
            self.received += n

    def _send(self, sock: socket.socket, ep: Endpoint) -> None:
        sock.sendall(request_head(
            "POST", ep, ep.path,
            f"Content-Type: application/octet-stream\r\nContent-Length: {UPLOAD_BYTES}\r\n",
        ))  # fmt: skip
        while not self.stop.is_set():
            self.written += sock.send(_UPLOAD_BLOCK)

    def wake(self) -> None:
        """Make a blocked send/recv return (the thread then closes its own socket)."""
        with self._lock:
            sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            sock, self.sock = self.sock, None
            if sock is None:
                return
            info = tcp_info(sock)
            if self.upload:
                self._final_acked = acked_bytes(sock, self.written)
        if info is not None:
            self.retrans, self.sent_on_wire = info.bytes_retrans, info.bytes_sent
            self.min_rtt_us = info.min_rtt_us or None
        abort(sock)
