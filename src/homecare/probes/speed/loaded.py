"""Latency while the link is busy: the bufferbloat measurement.

Pingers to the gateway and beyond run in background threads for exactly the
duration of one speed test direction. The gateway tells whether the home's
own network queues; the target beyond the router shows the shaper's queue,
which is where bufferbloat lives on most lines.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from homecare.models.connection import Grade, LatencyStats, LoadedLatency, Role
from homecare.probes.latency.echo import PacedSeries, paced_series
from homecare.probes.latency.stats import bufferbloat_grade, rpm, summarize

LOADED_INTERVAL_S = 0.05
IDLE_COUNT = 20
TIMEOUT_S = 1.0


@dataclass
class LoadedPingers:
    """Background paced series, one per target, stopped together."""

    targets: list[tuple[str, Role, int]]
    phase: str
    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _results: dict[int, PacedSeries] = field(default_factory=dict)
    _live: dict[int, dict[int, float]] = field(default_factory=dict)

    def start(self) -> LoadedPingers:
        for i, (target, _role, port) in enumerate(self.targets):
            live: dict[int, float] = {}
            self._live[i] = live

            def work(
                i: int = i, target: str = target, port: int = port, live: dict[int, float] = live
            ) -> None:
                self._results[i] = paced_series(
                    target, port, interval_s=LOADED_INTERVAL_S, timeout_s=TIMEOUT_S,
                    deadline=self.deadline, stop=self.stop, live=live,
                )  # fmt: skip

            t = threading.Thread(target=work, daemon=True, name=f"loaded-ping-{i}")
            t.start()
            self._threads.append(t)
        return self

    def settled(self) -> bool:
        """Whether latency beyond the router has stopped rising: the median of
        the last second within max(5 ms, 10 %) of the second before. True when
        there is nothing to watch (TCP fallback, no target beyond the router)."""
        n = round(1.0 / LOADED_INTERVAL_S)
        for i, (_target, role, _port) in enumerate(self.targets):
            if role != "internet":
                continue
            live = self._live.get(i, {}).copy()
            if not live:
                continue
            seqs = sorted(live)
            if len(seqs) < 2 * n:
                return False
            last = statistics.median(live[s] for s in seqs[-n:])
            before = statistics.median(live[s] for s in seqs[-2 * n : -n])
            if abs(last - before) > max(5.0, 0.1 * before):
                return False
        return True

    def finish(self, idle: dict[str, float | None] | None = None) -> list[LoadedLatency]:
        """Stop and summarise; *idle* maps target → idle median for the increase."""
        self.stop.set()
        for t in self._threads:
            t.join(timeout=TIMEOUT_S + 0.5)
        out: list[LoadedLatency] = []
        for i, (target, role, _port) in enumerate(self.targets):
            raw = self._results.get(i)
            if raw is None:
                continue
            stats = (
                working_window(raw) if self.phase != "idle" else summarize(raw.rtts_ms, raw.sent)
            )
            base = (idle or {}).get(target)
            increase = (
                round(stats.median_ms - base, 3)
                if stats.median_ms is not None and base is not None
                else None
            )
            out.append(
                LoadedLatency(
                    phase=self.phase,  # type: ignore[arg-type]
                    target=target,
                    role=role,
                    method=raw.method,
                    stats=stats,
                    increase_ms=increase,
                    rpm=rpm(stats.median_ms) if self.phase != "idle" else None,
                )
            )
        return out


def working_window(raw: PacedSeries) -> LatencyStats:
    """Statistics over the second half of a loaded series: queues take seconds
    to fill, and the first half would report the latency of a link still
    ramping up rather than of a busy one."""
    half = raw.sent // 2
    if raw.seqs:
        rtts = [r for s, r in zip(raw.seqs, raw.rtts_ms, strict=True) if s > half]
    else:  # TCP timing: one probe at a time, in order
        rtts = raw.rtts_ms[len(raw.rtts_ms) // 2 :]
    return summarize(rtts, max(len(rtts), raw.sent - half))


def idle_baseline(targets: list[tuple[str, Role, int]], deadline: float) -> list[LoadedLatency]:
    """A short idle series with the same method as the loaded one."""
    pingers = LoadedPingers(targets, "idle", min(deadline, time.monotonic() + 1.2)).start()
    time.sleep(min(IDLE_COUNT * LOADED_INTERVAL_S, max(0.0, deadline - time.monotonic())))
    return pingers.finish()


def worst_increase(loaded: list[LoadedLatency]) -> tuple[float | None, Grade | None, float | None]:
    """Worst increase beyond the router (the gateway when nothing else), its grade, worst RPM."""
    under_load = [x for x in loaded if x.phase != "idle"]
    beyond = [x for x in under_load if x.role == "internet" and x.increase_ms is not None]
    pool = beyond or [x for x in under_load if x.increase_ms is not None]
    worst = max((x.increase_ms for x in pool if x.increase_ms is not None), default=None)
    rpms = [x.rpm for x in (beyond or under_load) if x.rpm is not None]
    return worst, bufferbloat_grade(worst), min(rpms) if rpms else None
