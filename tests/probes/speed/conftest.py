from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from homecare.collector.librespeed import make_librespeed_server


@pytest.fixture(scope="module")
def librespeed_url() -> Iterator[str]:
    """A real LibreSpeed server on loopback (the colleague's implementation)."""
    srv = make_librespeed_server("127.0.0.1", 0)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
    finally:
        srv.shutdown()
        srv.server_close()
