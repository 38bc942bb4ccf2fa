"""The arithmetic of the responsiveness test (draft-ietf-ippm-responsiveness-09).

Kept apart from the sockets so it can be checked on its own:

* goodput: per interval, and its moving average over the last ``MAD``
  (Moving Average Distance) intervals;
* stability: the population standard deviation of the last ``MAD`` moving
  averages (goodput) or responsiveness values is below ``SDT`` (5 %) of the
  latest one;
* aggregation: every kind of probe time is a single-sided trimmed mean that
  keeps the lowest 95 % (``TMP``), over the probes of the last ``MAD``
  intervals;
* RPM: ``60000 / ms``; foreign RPM from the mean of the TCP, TLS (when
  there is TLS) and HTTP times of probes on new connections, self RPM from
  the round trips on the load-generating connections, and the result is the
  mean of the two RPMs (the draft averages RPMs, not milliseconds);
* confidence, per stage: high when it reached stability within the time
  limit, medium when it ran at least ``MAD`` intervals without, low when not
  even that.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from homecare.models.connection import Confidence

MAD = 4
TMP = 0.95
SDT = 0.05
#: The draft allows 100 probes a second; Python on a shared laptop cannot open
#: that many TLS connections without disturbing the load it measures.
MAX_FOREIGN_PER_S = 20.0
MIN_FOREIGN_PER_S = 1.0
#: Probes may use at most this share of the measured capacity (the draft's PTC).
PTC = 0.05
FOREIGN_PROBE_BYTES = 5000


def trimmed_mean(values: Sequence[float], keep: float = TMP) -> float | None:
    """Mean of the lowest *keep* share of *values* (at least one value)."""
    if not values:
        return None
    ordered = sorted(values)
    n = max(1, math.floor(len(ordered) * keep + 1e-9))
    return statistics.fmean(ordered[:n])


def rpm_of(ms: float | None) -> float | None:
    """Round trips per minute for a round trip of *ms* milliseconds."""
    if ms is None or ms <= 0:
        return None
    return 60000.0 / ms


def stable(values: Sequence[float], mad: int = MAD, sdt: float = SDT) -> bool:
    """The last *mad* values vary by less than *sdt* of the latest (population SD)."""
    if len(values) < mad or values[-1] <= 0:
        return False
    return statistics.pstdev(values[-mad:]) < sdt * values[-1]


def confidence(iterations: int, reached: bool, mad: int = MAD) -> Confidence:
    if reached:
        return "high"
    return "medium" if iterations >= mad else "low"


def foreign_probe_rate(goodput_bytes_s: float | None) -> float:
    """Foreign probes per second: within the draft's 5 % of capacity, and a pace
    this client can keep."""
    if not goodput_bytes_s:
        return 5.0
    allowed = PTC * goodput_bytes_s / FOREIGN_PROBE_BYTES
    return max(MIN_FOREIGN_PER_S, min(MAX_FOREIGN_PER_S, allowed))


@dataclass
class ProbeSet:
    """Probe times in milliseconds, by kind."""

    tcp: list[float] = field(default_factory=list)
    tls: list[float] = field(default_factory=list)
    http: list[float] = field(default_factory=list)
    self_rtt: list[float] = field(default_factory=list)

    def extend(self, other: ProbeSet) -> None:
        self.tcp += other.tcp
        self.tls += other.tls
        self.http += other.http
        self.self_rtt += other.self_rtt

    @property
    def foreign_count(self) -> int:
        return len(self.http)


@dataclass(frozen=True)
class Figures:
    """Responsiveness over one window of probes."""

    rpm: float | None
    foreign_rpm: float | None
    self_rpm: float | None
    tcp_ms: float | None
    tls_ms: float | None
    http_ms: float | None
    self_ms: float | None


def responsiveness(probes: ProbeSet) -> Figures:
    """The draft's formula; TLS counts only when probes used TLS (the TCP-only case
    gives TCP and HTTP equal weight instead of a zero TLS time)."""
    tcp, tls = trimmed_mean(probes.tcp), trimmed_mean(probes.tls)
    http, self_ms = trimmed_mean(probes.http), trimmed_mean(probes.self_rtt)
    parts = [x for x in (tcp, tls, http) if x is not None]
    foreign = rpm_of(statistics.fmean(parts)) if tcp is not None and http is not None else None
    own = rpm_of(self_ms)
    both = [x for x in (foreign, own) if x is not None]
    return Figures(
        rpm=statistics.fmean(both) if both else None,
        foreign_rpm=foreign,
        self_rpm=own,
        tcp_ms=tcp,
        tls_ms=tls,
        http_ms=http,
        self_ms=self_ms,
    )


@dataclass
class Algorithm:
    """The draft's per-interval state: goodput saturation first, then
    responsiveness saturation. Feed it one interval at a time."""

    interval_s: float
    mad: int = MAD
    sdt: float = SDT
    goodput: list[float] = field(default_factory=list)  # bytes/s per interval
    averages: list[float] = field(default_factory=list)  # full-window moving averages
    probes: list[ProbeSet] = field(default_factory=list)
    saturated_at: int | None = None
    rpm_values: list[float] = field(default_factory=list)  # after goodput saturation
    done: bool = False

    def end_interval(self, n_bytes: int, probes: ProbeSet) -> bool:
        """Account one interval; True once responsiveness is stable (the test ends)."""
        self.goodput.append(n_bytes / self.interval_s)
        self.probes.append(probes)
        if len(self.goodput) >= self.mad:
            self.averages.append(statistics.fmean(self.goodput[-self.mad :]))
        if self.saturated_at is None:
            if stable(self.averages, self.mad, self.sdt):
                self.saturated_at = len(self.goodput) - 1
            return False
        figures = self.window()
        if figures.rpm is not None:
            self.rpm_values.append(figures.rpm)
        self.done = stable(self.rpm_values, self.mad, self.sdt)
        return self.done

    def window(self) -> Figures:
        """Responsiveness over the probes of the last ``mad`` intervals."""
        return responsiveness(self.window_probes())

    def window_probes(self) -> ProbeSet:
        pooled = ProbeSet()
        for p in self.probes[-self.mad :]:
            pooled.extend(p)
        return pooled

    def idle_tail_s(self) -> float:
        """How long nothing has moved since bytes last did (0 before any did)."""
        if not any(self.goodput):
            return 0.0
        quiet = next(i for i, g in enumerate(reversed(self.goodput)) if g > 0)
        return quiet * self.interval_s

    def goodput_bytes_s(self) -> float | None:
        """The latest moving average (over what there is before a full window)."""
        if self.averages:
            return self.averages[-1]
        return statistics.fmean(self.goodput) if self.goodput else None

    def goodput_confidence(self) -> Confidence:
        return confidence(len(self.averages), self.saturated_at is not None, self.mad)

    def responsiveness_confidence(self) -> Confidence:
        iterations = 0 if self.saturated_at is None else len(self.goodput) - 1 - self.saturated_at
        return confidence(iterations, self.done, self.mad)
