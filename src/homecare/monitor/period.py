"""One period of monitoring in one place: trends, outages, and the month before.

``history trends``, ``report --html`` and the benchmark all ask the same
question ("how was my line over the last N days?"), so they share this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from homecare.monitor.outages import Outage, find_outages
from homecare.monitor.trends import DAY_S, Trends, compute_trends
from homecare.store.samples import SampleStore


@dataclass(frozen=True)
class Period:
    start: float
    end: float
    trends: Trends
    outages: list[Outage]
    samples: int

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY_S

    def offline_s(self) -> float:
        return sum(o.duration_s(self.end) for o in self.outages)


def load_period(
    store: SampleStore,
    *,
    now: float,
    days: int,
    tz: tzinfo,
    below_plan_ratio: float = 0.7,
) -> Period:
    start = now - days * DAY_S
    buckets = store.hours(start, now)
    earlier = store.hours(start - days * DAY_S, start)
    trends = compute_trends(
        buckets, tz, now=now, days=days, below_plan_ratio=below_plan_ratio, earlier=earlier
    )
    light = store.outage_candidates(start, now)
    return Period(
        start=start,
        end=now,
        trends=trends,
        outages=find_outages(light),
        samples=sum(b.n for b in buckets),
    )
