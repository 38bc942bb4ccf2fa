"""A LibreSpeed-protocol speed-test server.

LibreSpeed (the open-source speed test) needs only four backend endpoints, and
homecare's speed probe speaks exactly that protocol, so this server lets the
probe be tested end to end (virtual home) and lets a provider's collector host
its own test point later:

* ``GET  garbage.php?ckSize=N``  streams N MiB of incompressible bytes (default 4, max 1024)
* ``POST empty.php``             accepts and discards an upload body of any size
* ``GET  empty.php``             empty 200 answer, used for ping/jitter
* ``GET  getIP.php``             ``{"processedString": "<client ip>", "rawIspInfo": ""}``

Paths are matched on their last component so ``/backend/garbage.php`` (the
layout of LibreSpeed's own docker image) works too.

Run: ``python -m homecare.collector.librespeed --bind ADDR --port N``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from homecare.collector.fast_http import MIB, FastHandler, make_server, run_until_signalled

DEFAULT_CHUNKS = 4
MAX_CHUNKS = 1024


def chunk_count(query: str) -> int:
    """The number of MiB asked for by ``ckSize`` (LibreSpeed's default and cap)."""
    values = parse_qs(query).get("ckSize")
    if not values:
        return DEFAULT_CHUNKS
    try:
        n = int(values[0])
    except ValueError:
        return DEFAULT_CHUNKS
    return max(1, min(n, MAX_CHUNKS))


class LibreSpeedHandler(FastHandler):
    """Request handler implementing the LibreSpeed backend endpoints."""

    def _endpoint(self) -> tuple[str, str]:
        parts = urlsplit(self.path)
        return parts.path.rsplit("/", 1)[-1], parts.query

    def do_GET(self) -> None:
        name, query = self._endpoint()
        if name == "garbage.php":
            self.send_filler(chunk_count(query) * MIB)
        elif name == "empty.php":
            self.send_bytes(b"", extra_headers=[("Connection", "keep-alive")])
        elif name == "getIP.php":
            body = json.dumps({"processedString": self.client_address[0], "rawIspInfo": ""})
            self.send_bytes(body.encode(), "application/json; charset=utf-8")
        else:
            self.send_bytes(b"not found\n", status=404)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        name, _ = self._endpoint()
        self.discard_body()
        if name == "empty.php":
            self.send_bytes(b"", extra_headers=[("Connection", "keep-alive")])
        else:
            self.send_bytes(b"not found\n", status=404)


def make_librespeed_server(bind: str, port: int, *, verbose: bool = False) -> ThreadingHTTPServer:
    """A bound (not yet serving) LibreSpeed server."""
    return make_server(LibreSpeedHandler, bind, port, verbose=verbose)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8989, help="TCP port (0 = any free port)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    return run_until_signalled(
        lambda: [make_librespeed_server(args.bind, args.port, verbose=args.verbose)]
    )


if __name__ == "__main__":
    raise SystemExit(main())
