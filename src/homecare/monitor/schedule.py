"""When the monitor checks what, with a clock that tests can drive.

Light checks (router and internet reachability, loss, DNS) run often; Wi-Fi
and discovery less often; a speed test only a few times a day, at randomised
times whose mean interval is never shorter than the provider allows (M-Lab
asks unattended clients to average six hours). Intervals run on the
monotonic clock, timestamps on the wall clock; when the two disagree the
machine was suspended (or the clock was set), and the next sample is marked
so no outage or alert is made from the gap.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

LIGHT_S = 60.0
WIFI_S = 15 * 60.0
DISCOVERY_S = 60 * 60.0
#: M-Lab's request for unattended clients: on average one test per six hours
SPEED_MEAN_S = 6 * 3600.0
#: a speed sample below the threshold is retested this soon before any alert
SPEED_RETEST_S = 120.0


class Clock(Protocol):
    """Time as the monitor sees it; :class:`SystemClock` in production."""

    def monotonic(self) -> float: ...

    def wall(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


@dataclass(frozen=True)
class Task:
    """One kind of sample: which areas its check covers and how often it runs."""

    kind: str
    areas: tuple[str, ...]
    every_s: float
    #: 0 for a fixed interval; 0.5 spreads each interval over [0.5, 1.5] x every_s
    jitter: float = 0.0
    quick: bool = True


def default_tasks(
    every_s: float = LIGHT_S,
    *,
    speed: bool = True,
    speed_mean_s: float = SPEED_MEAN_S,
    provider_min_mean_s: float = SPEED_MEAN_S,
    wifi: bool = True,
    discovery: bool = True,
    discovery_s: float = DISCOVERY_S,
) -> list[Task]:
    """The monitor's tasks; the speed interval is clamped to what the provider allows."""
    tasks = [Task("light", ("connectivity", "dns"), every_s)]
    if wifi:
        tasks.append(Task("wifi", ("wifi",), max(WIFI_S, every_s)))
    if discovery:
        tasks.append(Task("discovery", ("devices",), max(discovery_s, every_s)))
    if speed:
        tasks.append(Task("speed", ("speed",), max(speed_mean_s, provider_min_mean_s), 0.5, False))
    return tasks


@dataclass
class Scheduler:
    """Which tasks are due on the monotonic clock; light first, speed last."""

    tasks: Sequence[Task]
    rng: random.Random = field(default_factory=random.Random)
    _next: dict[str, float] = field(default_factory=dict)

    def start(self, now: float) -> None:
        for task in self.tasks:
            # the first speed test also waits a random while: a fleet of routers
            # rebooting together must not test all at once
            self._next[task.kind] = now + (self._interval(task) if task.jitter else 0.0)

    def due(self, now: float) -> list[Task]:
        return [t for t in self.tasks if self._next.get(t.kind, now) <= now]

    def done(self, task: Task, started: float) -> None:
        """Schedule *task* again, one interval after it started."""
        self._next[task.kind] = started + self._interval(task)

    def retest_soon(self, kind: str, now: float, after_s: float = SPEED_RETEST_S) -> None:
        """Bring *kind* forward (a retest before an alert), never later than planned."""
        self._next[kind] = min(self._next.get(kind, now + after_s), now + after_s)

    def seconds_until_next(self, now: float) -> float:
        return max(0.0, min(self._next.values(), default=now) - now)

    def next_at(self, kind: str) -> float | None:
        return self._next.get(kind)

    def _interval(self, task: Task) -> float:
        if not task.jitter:
            return task.every_s
        low, high = 1.0 - task.jitter, 1.0 + task.jitter
        return task.every_s * self.rng.uniform(low, high)  # mean is every_s


@dataclass
class JumpDetector:
    """Tells a suspend/resume or a clock change from normal time passing.

    Between two looks the monotonic and wall clocks should advance alike;
    when the wall moved by more than *tolerance_s* beyond the monotonic
    clock (or backwards), the machine slept or the clock was set: nobody
    watched in between, so nothing may be concluded about that time.
    """

    expected_s: float
    tolerance_s: float = 5.0
    _last: tuple[float, float] | None = None

    def look(self, mono: float, wall: float) -> bool:
        """True when time jumped since the previous look."""
        last, self._last = self._last, (mono, wall)
        if last is None:
            return False
        d_mono, d_wall = mono - last[0], wall - last[1]
        tolerance = max(self.tolerance_s, 0.5 * self.expected_s)
        return abs(d_wall - d_mono) > tolerance
