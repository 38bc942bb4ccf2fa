"""The LibreSpeed engine: parallel HTTP streams against a LibreSpeed backend.

Download streams GET ``garbage.php`` and count body bytes; upload streams POST
to ``empty.php`` from one small shared buffer and count what the server
acknowledged (``streams.py``). A stream that fails records why and stops; the
others carry on, so a flaky server still yields a figure with the error
beside it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.http_streams import (
    Endpoint,
    connect,
    http_status_error,
    read_head,
    request_head,
)
from homecare.probes.speed.streams import IO_TIMEOUT_S, StreamPlan, run_streams

DOWNLOAD_CHUNKS = 1024  # MiB per request: LibreSpeed's cap, so few requests at any rate


def backend_url(base: str, name: str) -> str:
    """``name`` beneath a LibreSpeed base URL (with or without ``/backend/``)."""
    return (
        base.rstrip("/") + "/" + name
        if not base.endswith(".php")
        else base.rsplit("/", 1)[0] + "/" + name
    )


class LibreSpeedEngine:
    name = "librespeed"

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = list(urls)
        self.base: str | None = None

    # ------------------------------------------------------------------ server

    def prepare(self, deadline: float) -> str:
        """Pick the configured server with the quickest ``empty.php`` answer."""
        if not self.urls:
            raise EngineError(_("No LibreSpeed server is configured in the provider profile."))
        best: tuple[float, str] | None = None
        errors: list[str] = []
        for base in self.urls:
            try:
                ep = Endpoint.parse(backend_url(base, "empty.php"))
                rtt = self._ping(ep, max(0.2, min(IO_TIMEOUT_S, deadline - time.monotonic())))
            except EngineError as exc:
                errors.append(str(exc))
                continue
            if best is None or rtt < best[0]:
                best = (rtt, base)
        if best is None:
            raise EngineError("; ".join(errors))
        self.base = best[1]
        return self.base

    def _ping(self, ep: Endpoint, timeout_s: float) -> float:
        buf = memoryview(bytearray(16 * 1024))
        started = time.monotonic()
        sock = connect(ep, timeout_s)
        try:
            sock.sendall(request_head("GET", ep, ep.path, "Connection: close\r\n"))
            head = read_head(sock, buf, ep)
        except OSError as exc:
            raise EngineError(
                _("The speed test server {server} stopped answering.").format(server=ep.label)
            ) from exc
        finally:
            sock.close()
        if head.status != 200:
            raise http_status_error(head.status, ep)
        return time.monotonic() - started

    # ------------------------------------------------------------------ measuring

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        if self.base is None:
            self.prepare(budget.deadline)
        assert self.base is not None
        garbage = backend_url(self.base, "garbage.php")
        empty = backend_url(self.base, "empty.php")
        plan = StreamPlan(
            download_url=lambda: f"{garbage}?ckSize={DOWNLOAD_CHUNKS}&r={secrets.token_hex(4)}",
            upload_url=lambda: f"{empty}?r={secrets.token_hex(4)}",
        )
        return run_streams(direction, plan, budget, progress)
