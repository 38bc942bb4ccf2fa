"""The monitor loop: what is due, one check per sample, store, alert, notify, sleep.

The loop owns no measurement: each sample is one call of the *check*
function, which the CLI builds around ``homecare.engine.run_check`` with the
history as state. Time comes from an injected :class:`Clock`, so tests drive
hours of monitoring (and a suspend) in milliseconds.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from homecare.errors import HomecareError
from homecare.models import Report
from homecare.monitor.alerts import AlertEngine, AlertEvent
from homecare.monitor.delivery import DeliveryThread
from homecare.monitor.notify import Notifier
from homecare.monitor.samples import sample_from_report
from homecare.monitor.schedule import Clock, JumpDetector, Scheduler, Task
from homecare.store.alerts import AlertStore
from homecare.store.samples import Sample, SampleStore

#: the loop wakes at least this often to retry deliveries and beat its heart
MAX_SLEEP_S = 30.0
ROLL_UP_EVERY_S = 3600.0

CheckFn = Callable[[Task], Report]
SampleHook = Callable[[Sample, list[AlertEvent]], None]
ErrorHook = Callable[[Task, Exception], None]


@dataclass
class Monitor:
    clock: Clock
    scheduler: Scheduler
    check: CheckFn
    samples: SampleStore
    alerts: AlertEngine
    notifier: Notifier
    every_s: float
    plan_down_mbit: float | None = None
    plan_up_mbit: float | None = None
    on_sample: SampleHook = lambda _s, _e: None
    on_error: ErrorHook = lambda _t, _e: None
    monitor_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: deliveries on their own thread (production); None delivers inline (driven clocks)
    deliveries: DeliveryThread | None = None
    taken: int = 0

    def run(self, for_s: float | None = None) -> int:
        """Monitor until *for_s* seconds (monotonic) have passed, or forever; returns samples taken."""
        store = AlertStore(self.samples)
        start = self.clock.monotonic()
        started_wall = self.clock.wall()
        self.scheduler.start(start)
        detector = JumpDetector(expected_s=self.every_s)
        detector.look(start, started_wall)
        gap, settling = True, False  # nobody watched before this monitor started
        last_roll = -ROLL_UP_EVERY_S
        if self.deliveries is not None:
            self.deliveries.start()
        try:
            while True:
                now = self.clock.monotonic()
                if for_s is not None and now - start >= for_s:
                    break
                if detector.look(now, self.clock.wall()):
                    self.alerts.reset()
                    gap, settling = True, True
                for task in self.scheduler.due(now):
                    gap, settling = self._sample(task, detector, gap, settling)
                wall = self.clock.wall()
                self._deliver(wall)
                store.heartbeat(self.monitor_id, os.getpid(), started_wall, wall, self.every_s)
                if now - last_roll >= ROLL_UP_EVERY_S:
                    self.samples.roll_up(wall)
                    last_roll = now
                now = self.clock.monotonic()
                wait = min(self.scheduler.seconds_until_next(now), MAX_SLEEP_S)
                if for_s is not None:
                    wait = min(wait, start + for_s - now)
                if wait > 0:
                    self.clock.sleep(wait)
        finally:
            if self.deliveries is not None:
                self.deliveries.stop()
            store.forget_monitor(self.monitor_id)
        return self.taken

    def _deliver(self, wall: float) -> None:
        if self.deliveries is not None:
            self.deliveries.wake()
        else:
            self.notifier.deliver_due(wall)

    def _sample(
        self, task: Task, detector: JumpDetector, gap: bool, settling: bool
    ) -> tuple[bool, bool]:
        """Take one sample of *task*; returns the (gap, settling) flags for the next one."""
        started = self.clock.monotonic()
        ts = self.clock.wall()
        try:
            report = self.check(task)
        except (HomecareError, OSError) as exc:
            self.on_error(task, exc)
            self.scheduler.done(task, started)
            return gap, settling
        self.scheduler.done(task, started)
        if detector.look(self.clock.monotonic(), self.clock.wall()):
            # slept during the check: what it saw may be the network waking up
            self.alerts.reset()
            gap, settling = True, True
        sample = sample_from_report(
            report,
            task.kind,
            ts,
            monitor=self.monitor_id,
            gap_before=gap,
            settling=settling,
            plan_down_mbit=self.plan_down_mbit,
            plan_up_mbit=self.plan_up_mbit,
        )
        self.samples.add(sample)
        self.taken += 1
        events = self.alerts.observe(sample)
        for event in events:
            self.notifier.enqueue(event.alert_id, event.event, event.at)
        self.on_sample(sample, events)
        if task.kind == "light":
            return False, False
        return gap, settling
