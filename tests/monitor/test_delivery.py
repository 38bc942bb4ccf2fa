"""A slow notification channel never delays the samples: deliveries run on their
own thread with their own connection to the history (real clock, short intervals)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

from homecare.advise.catalogue import Catalogue
from homecare.monitor.alerts import AlertEngine, AlertPolicy
from homecare.monitor.delivery import DeliveryThread
from homecare.monitor.notify import MessageStyle, Notice, Notifier
from homecare.monitor.runner import Monitor
from homecare.monitor.schedule import Scheduler, SystemClock, default_tasks
from homecare.store.alerts import AlertStore
from homecare.store.samples import SampleStore

from .helpers import report


class Slow:
    key, shown, disturbs = "slow", "slow", True

    def __init__(self) -> None:
        self.got: list[str] = []

    def send(self, notice: Notice) -> str | None:
        time.sleep(1.5)  # a resolver timing out, an endpoint that never answers
        self.got.append(notice.event)
        return None


def test_slow_channel_does_not_delay_samples(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    slow = Slow()
    catalogue = Catalogue.load()
    style = MessageStyle("en", "beginner")

    @contextmanager
    def open_notifier() -> Iterator[Notifier]:
        with SampleStore.open(path) as own:
            yield Notifier(AlertStore(own), {slow.key: slow}, catalogue, style, UTC)

    clock = SystemClock()
    with SampleStore.open(path) as samples:
        store = AlertStore(samples)
        monitor = Monitor(
            clock=clock,
            scheduler=Scheduler(default_tasks(0.25, speed=False, wifi=False, discovery=False)),
            check=lambda _t: report(internet=False),
            samples=samples,
            alerts=AlertEngine(store, AlertPolicy(outage_after=2)),
            notifier=Notifier(store, {slow.key: slow}, catalogue, style, UTC),
            every_s=0.25,
            deliveries=DeliveryThread(open_notifier, clock.wall, poll_s=0.2),
        )
        monitor.run(for_s=2.5)
        light = samples.between(0, time.time() + 1)
        delivered = store.deliveries()
    gaps = [b.ts - a.ts for a, b in itertools.pairwise(light)]
    assert len(light) >= 7 and max(gaps) < 1.0, gaps
    assert slow.got == ["opened"]
    assert [d.delivered_at is not None for d in delivered] == [True]
