"""Deliveries on their own thread, so a slow channel never delays a sample.

A notification URL whose name does not resolve can block for ten seconds in
the resolver, one that never answers for apprise's whole timeout; the
sampling loop must not wait for either. The worker opens its own SQLite
connection (a connection belongs to the thread that made it), wakes when
the loop queued something and at least every few seconds for retries, and
is stopped with a bounded wait when the monitor ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from homecare.monitor.notify import Notifier

POLL_S = 5.0
STOP_WAIT_S = 15.0

NotifierFactory = Callable[[], AbstractContextManager[Notifier]]


class DeliveryThread:
    def __init__(
        self,
        open_notifier: NotifierFactory,
        wall: Callable[[], float],
        on_error: Callable[[Exception], None] = lambda _e: None,
        poll_s: float = POLL_S,
    ) -> None:
        self._open = open_notifier
        self._wall = wall
        self._on_error = on_error
        self._poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="homecare-deliveries", daemon=True)

    def start(self) -> DeliveryThread:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, wait_s: float = STOP_WAIT_S) -> None:
        """Deliver what is due one last time, then end (waiting at most *wait_s*)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(wait_s)

    def _run(self) -> None:
        try:
            with self._open() as notifier:
                while True:
                    self._wake.wait(self._poll_s)
                    self._wake.clear()
                    try:
                        notifier.deliver_due(self._wall())
                    except Exception as exc:  # a broken channel or a busy database: try later
                        self._on_error(exc)
                    if self._stop.is_set():
                        return
        except Exception as exc:
            self._on_error(exc)
