"""A loopback test server run in a thread for the length of a ``with`` block:
the speed engines' tests each start one and must always stop and close it."""

from __future__ import annotations

import contextlib
import socketserver
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def serving_port(srv: socketserver.BaseServer) -> Iterator[int]:
    """Serve *srv* (bound on 127.0.0.1) until the block ends; yields its port."""
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield int(srv.server_address[1])  # type: ignore[index]
    finally:
        srv.shutdown()
        srv.server_close()
