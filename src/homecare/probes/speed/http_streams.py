"""Raw HTTP/1.1 streams for throughput: the hot loop is one ``recv_into`` (or
``send``) on a reusable buffer, so a few threads reach gigabits with little CPU
and memory stays flat whatever the rate or duration.

http.client and httpx allocate a new bytes object per read; here nothing is
allocated per chunk.
"""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from homecare.i18n import _
from homecare.probes.speed.engine import EngineError
from homecare.probes.speed.names import look_up

BUFFER_BYTES = 256 * 1024
#: ``dur=`` of a Server-Timing entry, as Cloudflare's client reads it
_DURATION = re.compile(r"(?:^|;)\s*dur=([0-9.]+)")
HEADER_LIMIT = 16 * 1024


@dataclass(frozen=True)
class Endpoint:
    """Where one HTTP resource lives."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, starting with "/"

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineError(_("Not a usable speed test address: {url}").format(url=url))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise EngineError(_("Not a usable speed test address: {url}").format(url=url)) from exc
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return cls(parts.scheme, parts.hostname, port, path)

    @property
    def label(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def authority(self) -> str:
        """The ``Host`` header: the port unless it is the scheme's own (RFC 9110 7.2)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def open_tcp(host: str, port: int, label: str, timeout_s: float) -> socket.socket:
    """A connected TCP socket (``TCP_NODELAY``, per-operation timeout); a name
    that does not resolve in time, a refusal or silence becomes one translated
    EngineError naming *label*."""
    family, address = look_up(host, port, label, timeout_s)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(address)
    except OSError as exc:
        sock.close()
        raise connect_failed(label, exc) from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def connect_failed(label: str, exc: OSError) -> EngineError:
    """The sentence a failed connect becomes (silence, or the system's reason)."""
    if isinstance(exc, TimeoutError):
        return EngineError(_("The speed test server {server} did not answer.").format(server=label))
    return EngineError(
        _("Cannot connect to the speed test server {server}: {error}").format(
            server=label, error=exc.strerror or exc
        )
    )


def tls_failed(label: str, exc: Exception) -> EngineError:
    """The sentence a failed TLS handshake becomes; a certificate that does not
    verify (another name, a CA not trusted, expired) says so in OpenSSL's words."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EngineError(
            _("The certificate of {server} is not trusted: {why}").format(
                server=label, why=exc.verify_message or exc.reason
            )
        )
    return EngineError(
        _("Secure connection to {server} failed: {error}").format(server=label, error=exc)
    )


def connect(ep: Endpoint, timeout_s: float) -> socket.socket:
    """A connected (TLS-wrapped for https) socket with a per-operation timeout."""
    sock = open_tcp(ep.host, ep.port, ep.label, timeout_s)
    return wrap_tls(sock, ep) if ep.scheme == "https" else sock


def wrap_tls(sock: socket.socket, ep: Endpoint) -> ssl.SSLSocket:
    """The TLS handshake on a connected socket, verified against the system's
    trust store (``SSL_CERT_FILE`` names another, as for OpenSSL) for the
    endpoint's host name; a failure closes the socket and is one EngineError."""
    ctx = ssl.create_default_context()
    try:
        return ctx.wrap_socket(sock, server_hostname=ep.host)
    except (ssl.SSLError, OSError) as exc:
        sock.close()
        raise tls_failed(ep.label, exc) from exc


def request_head(method: str, ep: Endpoint, path: str, extra: str = "") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: {ep.authority}\r\nUser-Agent: homecare\r\n"
        f"Cache-Control: no-cache\r\nAccept-Encoding: identity\r\n{extra}\r\n"
    ).encode("ascii")


@dataclass
class ResponseHead:
    status: int
    content_length: int | None
    body_start: int  # bytes of body already in the buffer
    keep_alive: bool
    #: the server's own time on the request (``Server-Timing: …;dur=MS``), 0 if none
    server_time_s: float = 0.0


def read_head(sock: socket.socket, buf: memoryview, ep: Endpoint) -> ResponseHead:
    """Read a response head into *buf*; body bytes read with it are counted in
    ``body_start``. Garbage, early close and oversized heads become EngineError."""
    got = 0
    while True:
        try:
            n = sock.recv_into(buf[got:HEADER_LIMIT])
        except TimeoutError as exc:
            raise EngineError(
                _("The speed test server {server} stopped answering.").format(server=ep.label)
            ) from exc
        if n == 0:
            raise EngineError(
                _("The speed test server {server} closed the connection early.").format(
                    server=ep.label
                )
            )
        got += n
        end = bytes(buf[:got]).find(b"\r\n\r\n")
        if end >= 0:
            break
        if got >= HEADER_LIMIT:
            raise EngineError(
                _("The speed test server {server} sent garbage.").format(server=ep.label)
            )
    status, length, keep_alive, server_s = parse_head(bytes(buf[:end]), ep)
    return ResponseHead(status, length, got - (end + 4), keep_alive, server_s)


def parse_head(raw: bytes, ep: Endpoint) -> tuple[int, int | None, bool, float]:
    """Status, Content-Length, keep-alive and server time of a response head
    (without its blank line)."""
    head = raw.decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise EngineError(_("The speed test server {server} sent garbage.").format(server=ep.label))
    status = int(parts[1])
    length: int | None = None
    keep_alive = parts[0] == "HTTP/1.1"
    server_s = 0.0
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        key = name.strip().lower()
        if key == "content-length":
            try:
                length = int(value.strip())
            except ValueError as exc:
                raise EngineError(
                    _("The speed test server {server} sent garbage.").format(server=ep.label)
                ) from exc
        elif key == "connection":
            keep_alive = value.strip().lower() == "keep-alive" or (
                keep_alive and value.strip().lower() != "close"
            )
        elif key == "server-timing" and (match := _DURATION.search(value)):
            server_s = float(match.group(1)) / 1000
    return status, length, keep_alive, server_s


class AnswerParser:
    """Small whole answers (head and body) parsed off a connection's bytes as
    they arrive: with requests sent ahead, two answers can come in one read,
    or one answer in several."""

    def __init__(self, ep: Endpoint) -> None:
        self.ep = ep
        self.pending = b""

    def feed(self, data: bytes) -> list[tuple[int, bool]]:
        """Status and keep-alive of every answer completed by *data*; bodies are
        dropped. An answer with a body too large to be a small answer ends the
        connection (keep-alive False)."""
        self.pending += data
        done: list[tuple[int, bool]] = []
        while (end := self.pending.find(b"\r\n\r\n")) >= 0:
            status, length, keep_alive, _server_s = parse_head(self.pending[:end], self.ep)
            if length and length > HEADER_LIMIT:
                self.pending = b""
                done.append((status, False))
                return done
            whole = end + 4 + (length or 0)
            if len(self.pending) < whole:
                return done
            self.pending = self.pending[whole:]
            done.append((status, keep_alive))
        if len(self.pending) >= HEADER_LIMIT:
            raise EngineError(
                _("The speed test server {server} sent garbage.").format(server=self.ep.label)
            )
        return done


def http_status_error(status: int, ep: Endpoint) -> EngineError:
    if status == 403:
        return EngineError(
            _("The speed test server {server} refused the test (HTTP 403).").format(server=ep.label)
        )
    if status == 429:
        return EngineError(
            _("The speed test server {server} is busy: too many tests (HTTP 429).").format(
                server=ep.label
            )
        )
    return EngineError(
        _("The speed test server {server} answered with HTTP {status}.").format(
            server=ep.label, status=status
        )
    )
