"""The loop on a driven clock: hours of monitoring in milliseconds, a suspend that
makes no outage, an outage that alerts once and recovers once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path

import pytest

from homecare.advise.catalogue import Catalogue
from homecare.models import Report
from homecare.monitor.alerts import AlertEngine, AlertPolicy
from homecare.monitor.notify import MessageStyle, Notice, Notifier
from homecare.monitor.outages import find_outages
from homecare.monitor.runner import Monitor
from homecare.monitor.schedule import Scheduler, Task, default_tasks
from homecare.store.alerts import AlertStore
from homecare.store.samples import SampleStore

from .helpers import FakeClock, report


class Recorder:
    """A channel that keeps what it was sent (the real apprise path is in the e2e test)."""

    key = "rec"
    shown = "recorder"
    disturbs = True

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, notice: Notice) -> str | None:
        self.sent.append(notice.title)
        return None


@pytest.fixture
def samples(tmp_path: Path) -> Iterator[SampleStore]:
    with SampleStore.open(tmp_path / "h.sqlite3") as store:
        yield store


def make(
    samples: SampleStore, clock: FakeClock, check: Callable[[Task], Report], rec: Recorder
) -> Monitor:
    store = AlertStore(samples)
    notifier = Notifier(
        store, {rec.key: rec}, Catalogue.load(), MessageStyle("en", "beginner"), UTC
    )
    return Monitor(
        clock=clock,
        scheduler=Scheduler(default_tasks(60, speed=False, wifi=False, discovery=False)),
        check=check,
        samples=samples,
        alerts=AlertEngine(store, AlertPolicy(outage_after=3, recover_after=2)),
        notifier=notifier,
        every_s=60,
    )


def test_a_day_of_monitoring_takes_1440_samples(samples: SampleStore) -> None:
    clock = FakeClock()
    monitor = make(samples, clock, lambda _t: report(), Recorder())
    assert monitor.run(for_s=86400) == 1440
    assert samples.count() == 1440
    assert find_outages(samples.between(0, clock.now + 1)) == []


def test_outage_alerts_once_and_recovers_once(samples: SampleStore) -> None:
    clock = FakeClock()
    start = clock.now
    down = (start + 600, start + 1200)
    rec = Recorder()
    check = lambda _t: report(internet=not (down[0] <= clock.now < down[1]))  # noqa: E731
    make(samples, clock, check, rec).run(for_s=3600)
    assert len(rec.sent) == 2 and rec.sent[1].startswith("Resolved"), rec.sent
    (outage,) = find_outages(samples.between(0, clock.now + 1))
    assert abs(outage.duration_s() - 600) <= 60


def test_suspend_makes_no_outage_and_no_alert(samples: SampleStore) -> None:
    clock = FakeClock()
    rec = Recorder()
    woke = {"at": 0.0}

    def check(_task: Task) -> Report:
        if clock.mono >= 1000 + 1800 and not woke["at"]:
            clock.suspend(8 * 3600)  # the laptop lid closes for the night
            woke["at"] = clock.now
        # the first seconds after waking, Wi-Fi is still rejoining
        rejoining = woke["at"] and clock.now - woke["at"] < 5
        return report(internet=not rejoining, router=not rejoining)

    make(samples, clock, check, rec).run(for_s=3600)
    rows = samples.between(0, clock.now + 1)
    assert find_outages(rows) == []
    assert rec.sent == []
    assert any(r.gap_before and r.settling for r in rows)
