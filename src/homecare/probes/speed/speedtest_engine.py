"""The speedtest.net engine: speedtest-cli finds the server, homecare measures.

speedtest-cli (the ``speedtest`` module, archived upstream) is good at what
speedtest.net's legacy protocol needs first: the configuration, the server
list and the server with the lowest latency. Its own measurement is not: it
counts only finished requests (a slow upload read 0.61 of iperf3) and bytes
written rather than received. So the measurement runs on homecare's own
streams (``streams.py``) over that server's endpoints: ``random4000x4000.jpg``
downloads and ``upload.php`` POSTs, counted like the LibreSpeed engine's.

speedtest.net refuses or rate-limits clients at times (HTTP 403/429), in the
configuration or on the test server; each failure becomes one sentence the
customer can act on. The module blocks, so its calls run in a worker thread
we stop waiting for at the deadline (and ask to stop through its shutdown
event).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.http_streams import Endpoint
from homecare.probes.speed.streams import StreamPlan, run_streams


class _Shutdown:
    """speedtest-cli polls ``isSet()`` (its Python 2 spelling) between requests."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def isSet(self) -> bool:  # the spelling speedtest-cli calls
        return self.event.is_set()

    is_set = isSet

    def set(self) -> None:
        self.event.set()


def translate(exc: BaseException) -> str:
    """One clear sentence for whatever speedtest-cli raised."""
    import speedtest

    text = str(exc)
    if "403" in text:
        return _("speedtest.net refused the test (HTTP 403); it may block this network or client.")
    if "429" in text:
        return _("speedtest.net is rate-limiting this network (HTTP 429); try again later.")
    if isinstance(exc, speedtest.NoMatchedServers):
        return _("The speedtest.net server chosen in the provider profile does not exist.")
    if isinstance(exc, speedtest.ConfigRetrievalError | speedtest.SpeedtestConfigError):
        return _("Could not get the speedtest.net configuration: {error}").format(error=text or "?")
    if isinstance(exc, speedtest.ServersRetrievalError | speedtest.SpeedtestServersError):
        return _("Could not get the list of speedtest.net servers: {error}").format(
            error=text or "?"
        )
    if isinstance(exc, speedtest.SpeedtestBestServerFailure):
        return _("No speedtest.net server answered.")
    return _("speedtest.net test failed: {error}").format(error=text or type(exc).__name__)


def _in_thread(fn: Callable[[], Any], deadline: float, shutdown: _Shutdown) -> Any:
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=work, daemon=True, name="speedtest-cli")
    t.start()
    t.join(max(0.0, deadline - time.monotonic()))
    if t.is_alive():
        shutdown.set()
        raise EngineError(_("speedtest.net did not finish in the time allowed."))
    if "error" in box:
        err = box["error"]
        if isinstance(err, EngineError):
            raise err
        if isinstance(err, Exception):
            raise EngineError(translate(err)) from err
        raise err
    return box.get("value")


#: Bytes per upload request: speedtest.net servers accept bodies of a few
#: megabytes (speedtest-cli itself sends at most about 4 MB).
UPLOAD_REQUEST_BYTES = 4 * 1024 * 1024
DOWNLOAD_IMAGE = "random4000x4000.jpg"


class SpeedtestEngine:
    name = "speedtest"

    def __init__(self, server_id: int | None = None, secure: bool = False) -> None:
        self.server_id = server_id
        self.secure = secure
        self.server_url: str | None = None  # the chosen server's upload.php
        self._shutdown = _Shutdown()

    def prepare(self, deadline: float) -> str:
        import speedtest

        timeout = max(0.5, min(10.0, deadline - time.monotonic()))

        def setup() -> Any:
            st = speedtest.Speedtest(
                timeout=timeout, secure=self.secure, shutdown_event=self._shutdown
            )
            st.get_servers([self.server_id] if self.server_id else None)
            st.get_best_server()
            return st

        best = _in_thread(setup, deadline, self._shutdown).best
        self.use_server(str(best.get("url", "")))
        return f"speedtest.net #{best.get('id')} {best.get('sponsor', '')} ({best.get('host', '')})"

    def use_server(self, upload_url: str) -> None:
        """Measure against this server (its ``upload.php`` URL, as listed)."""
        Endpoint.parse(upload_url)  # a clear error for a malformed list entry
        self.server_url = upload_url

    def plan(self) -> StreamPlan:
        assert self.server_url is not None
        upload = self.server_url
        base = upload.rsplit("/", 1)[0]
        return StreamPlan(
            download_url=lambda: f"{base}/{DOWNLOAD_IMAGE}?x={secrets.token_hex(6)}",
            upload_url=lambda: f"{upload}?x={secrets.token_hex(6)}",
            upload_request_bytes=UPLOAD_REQUEST_BYTES,
            upload_content_type="application/x-www-form-urlencoded",
            keep_alive=True,  # static images with a Content-Length
        )

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        started = time.monotonic()
        try:
            if self.server_url is None:
                self.prepare(budget.deadline)
        except EngineError as exc:
            return SpeedDirection(
                direction=direction,
                duration_s=round(time.monotonic() - started, 3),
                streams=budget.streams,
                error=str(exc),
            )
        return run_streams(direction, self.plan(), budget, progress)
