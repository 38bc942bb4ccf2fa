"""A responsiveness test server (draft-ietf-ippm-responsiveness), for the lab.

The draft's four URLs, over HTTP/1.1 (a threaded server; no HTTP/2: the
client side is HTTP/1.1 too, see ``homecare.probes.speed.nq_wire``), in plain
HTTP or, given a certificate and key (``--cert``/``--key``, in the virtual
home from its own CA, ``homecare_lab.lab_ca``), over TLS:

* ``GET /.well-known/nq``: the JSON configuration, ``version`` 1 and the
  three URLs below on the host the request named (or ``--base``);
* ``GET /small``: 200 with one byte of ``application/octet-stream``;
* ``GET /large``: 200 with a Content-Length of 8 GiB (the draft: at least
  8 GB) of random bytes, sent until the client goes away;
* ``POST /upload``: any size, discarded; 200 when the body is complete.

Every connection sets ``TCP_NOTSENT_LOWAT`` (128 kB), as the draft advises a
server to: data waiting in the server's socket would otherwise add latency
the network did not cause.

Run inside a namespace (never on the host):
``python -m homecare_lab.nq_server --bind ADDR --port N [--cert PEM --key PEM]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import ssl
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from homecare.collector.fast_http import (
    FastHandler,
    make_server,
    run_until_signalled,
)

LARGE_BYTES = 8 * 1024**3
NOTSENT_LOWAT = 128 * 1024
_TCP_NOTSENT_LOWAT = getattr(socket, "TCP_NOTSENT_LOWAT", 25)
CONFIG_PATH = "/.well-known/nq"


def config_document(base: str) -> dict[str, object]:
    """The well-known configuration for a server reachable at *base* (scheme://host[:port])."""
    base = base.rstrip("/")
    return {
        "version": 1,
        "urls": {
            "small_download_url": f"{base}/small",
            "large_download_url": f"{base}/large",
            "upload_url": f"{base}/upload",
        },
    }


#: A TLS client gets this long to finish its handshake.
HANDSHAKE_TIMEOUT_S = 10.0


class NqHandler(FastHandler):
    #: Set by make_nq_server when the URLs must name a fixed base.
    base: str | None = None
    #: Set by make_nq_server to serve TLS (the handshake runs in the
    #: connection's own thread, so a client that never finishes it blocks no one).
    tls: ssl.SSLContext | None = None
    _handshake_failed = False

    def setup(self) -> None:
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, _TCP_NOTSENT_LOWAT, NOTSENT_LOWAT)
        if self.tls is not None:
            try:
                self.request.settimeout(HANDSHAKE_TIMEOUT_S)
                self.request = self.tls.wrap_socket(self.request, server_side=True)
                self.request.settimeout(None)
            except OSError:  # ssl.SSLError too: the client refused our certificate
                self._handshake_failed = True
        super().setup()

    def handle(self) -> None:
        if self._handshake_failed:
            return
        try:
            super().handle()
        except ssl.SSLError:  # a TLS client that went away mid-record: how tests end
            self.close_connection = True

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    def _base(self) -> str:
        if self.base:
            return self.base
        bound_host, port = self.connection.getsockname()[:2]
        host = self.headers.get("Host") or str(bound_host)
        default = 443 if self.tls is not None else 80
        if ":" not in host.rsplit("]", 1)[-1] and port != default:  # a client that left it out
            host = f"{host}:{port}"
        return f"{self.scheme}://{host}"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == CONFIG_PATH:
            body = json.dumps(config_document(self._base())).encode()
            self.send_bytes(body, "application/json")
        elif path == "/small":
            self.send_bytes(b"x", "application/octet-stream")
        elif path == "/large":
            self.send_filler(LARGE_BYTES)
        else:
            self.send_bytes(b"not found\n", status=404)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            self.discard_body()
        except OSError:
            self.close_connection = True
            return
        if path != "/upload":
            self.send_bytes(b"not found\n", status=404)
            return
        self.send_bytes(b"", "application/octet-stream")


def server_tls(cert_file: str, key_file: str) -> ssl.SSLContext:
    """A server context for the certificate chain in *cert_file*."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_file, key_file)
    return ctx


def make_nq_server(
    bind: str, port: int, base: str | None = None, tls: ssl.SSLContext | None = None
) -> ThreadingHTTPServer:
    """A bound (not yet serving) responsiveness server; TLS when *tls* is given."""
    handler = type("BoundNq", (NqHandler,), {"base": base, "tls": tls})
    return make_server(handler, bind, port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="responsiveness (nq) server (lab only)")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--base", default=None, help="scheme://host:port the URLs name")
    parser.add_argument("--cert", default=None, help="PEM certificate chain: serve TLS")
    parser.add_argument("--key", default=None, help="PEM private key of --cert")
    args = parser.parse_args(argv)
    if (args.cert is None) != (args.key is None):
        parser.error("--cert and --key go together")
    tls = server_tls(args.cert, args.key) if args.cert else None
    return run_until_signalled(lambda: [make_nq_server(args.bind, args.port, args.base, tls)])


if __name__ == "__main__":
    raise SystemExit(main())
