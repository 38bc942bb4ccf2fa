"""A responsiveness test server (draft-ietf-ippm-responsiveness), for the lab.

The draft's four URLs, over HTTP/1.1 (a threaded server; no HTTP/2: the
client side is HTTP/1.1 too, see ``homecare.probes.speed.nq_wire``):

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
``python -m homecare_lab.nq_server --bind ADDR --port N``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
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


class NqHandler(FastHandler):
    #: Set by make_nq_server when the URLs must name a fixed base.
    base: str | None = None

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, _TCP_NOTSENT_LOWAT, NOTSENT_LOWAT)

    def _base(self) -> str:
        if self.base:
            return self.base
        bound_host, port = self.connection.getsockname()[:2]
        host = self.headers.get("Host") or str(bound_host)
        if ":" not in host.rsplit("]", 1)[-1] and port != 80:  # a client that left it out
            host = f"{host}:{port}"
        return f"http://{host}"

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


def make_nq_server(bind: str, port: int, base: str | None = None) -> ThreadingHTTPServer:
    """A bound (not yet serving) responsiveness server."""
    handler = type("BoundNq", (NqHandler,), {"base": base})
    return make_server(handler, bind, port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="responsiveness (nq) server (lab only)")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--base", default=None, help="scheme://host:port the URLs name")
    args = parser.parse_args(argv)
    return run_until_signalled(lambda: [make_nq_server(args.bind, args.port, args.base)])


if __name__ == "__main__":
    raise SystemExit(main())
