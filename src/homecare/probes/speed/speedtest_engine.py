"""The speedtest.net engine, through the ``speedtest`` module (speedtest-cli).

It is the fallback when no LibreSpeed server answers. speedtest.net refuses
or rate-limits clients at times (HTTP 403/429) and its module raises a zoo of
exceptions; each becomes one sentence the customer can act on. The module
blocks, so each call runs in a worker thread we stop waiting for at the
deadline (and ask to stop through its shutdown event).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, mbit_of


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


class SpeedtestEngine:
    name = "speedtest"

    def __init__(self, server_id: int | None = None, secure: bool = False) -> None:
        self.server_id = server_id
        self.secure = secure
        self._st: Any = None
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

        self._st = _in_thread(setup, deadline, self._shutdown)
        best = self._st.best
        return f"speedtest.net #{best.get('id')} {best.get('sponsor', '')} ({best.get('host', '')})"

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        started = time.monotonic()
        try:
            if self._st is None:
                self.prepare(budget.deadline)
            st = self._st
            length = max(1.0, min(budget.max_duration_s, budget.deadline - started - 1.0))
            st.config["length"][direction] = length
            label = _("Download") if direction == "download" else _("Upload")
            progress(_("{label} (speedtest.net)").format(label=label))
            if direction == "download":
                # thread counts come from the server's configuration: speedtest-cli
                # only counts finished requests, so many threads on a slow line
                # finish too few of them within the window and under-report
                bps = _in_thread(st.download, budget.deadline, self._shutdown)
                n_bytes = int(st.results.bytes_received)
            else:
                bps = _in_thread(
                    lambda: st.upload(pre_allocate=False),
                    budget.deadline,
                    self._shutdown,
                )
                n_bytes = int(st.results.bytes_sent)
        except EngineError as exc:
            return SpeedDirection(
                direction=direction,
                duration_s=round(time.monotonic() - started, 3),
                streams=budget.streams,
                error=str(exc),
            )
        elapsed = time.monotonic() - started
        mbit = float(bps) / 1_000_000 if bps else None
        if mbit is None and n_bytes:
            mbit = mbit_of(n_bytes, elapsed)
        return SpeedDirection(
            direction=direction,
            mbit=round(mbit, 2) if mbit else None,
            bytes=n_bytes,
            duration_s=round(elapsed, 3),
            streams=budget.streams,
            error=None if mbit else _("speedtest.net measured nothing."),
        )
