"""A server speaking Cloudflare's speed-test endpoints, for the lab.

speed.cloudflare.com measures with two plain HTTP endpoints:

* ``GET /__down?bytes=N``: N incompressible bytes;
* ``POST /__up``: swallows the body.

Both answer ``Server-Timing: cfRequestDuration;dur=MS``, how long the server
spent on the request (as the real one does; homecare's client times uploads
itself, because part of a body is already in the server's buffers when its
handler starts).

Run inside a namespace (never on the host):
``python -m homecare_lab.cloudflare_server --bind ADDR --port N``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from homecare.collector.fast_http import FastHandler, make_server, run_until_signalled

MAX_DOWN_BYTES = 1_000_000_000


def requested_bytes(query: str) -> int:
    values = parse_qs(query).get("bytes")
    try:
        n = int(values[0]) if values else 0
    except ValueError:
        n = 0
    return max(0, min(n, MAX_DOWN_BYTES))


class CloudflareHandler(FastHandler):
    def _timing(self, started: float) -> tuple[str, str]:
        ms = (time.perf_counter() - started) * 1000
        return ("Server-Timing", f"cfRequestDuration;dur={ms:.3f}")

    def do_GET(self) -> None:
        started = time.perf_counter()
        parts = urlsplit(self.path)
        if parts.path != "/__down":
            self.send_bytes(b"not found\n", status=404)
            return
        self.send_filler(requested_bytes(parts.query), headers=(self._timing(started),))

    def do_POST(self) -> None:
        started = time.perf_counter()
        if urlsplit(self.path).path != "/__up":
            self.discard_body()
            self.send_bytes(b"not found\n", status=404)
            return
        self.discard_body()
        self.send_bytes(b"", extra_headers=[self._timing(started)])


def make_cloudflare_server(bind: str, port: int) -> ThreadingHTTPServer:
    """A bound (not yet serving) Cloudflare-style speed server."""
    return make_server(CloudflareHandler, bind, port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cloudflare-style speed server (lab only)")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    args = parser.parse_args(argv)
    return run_until_signalled(lambda: [make_cloudflare_server(args.bind, args.port)])


if __name__ == "__main__":
    raise SystemExit(main())
