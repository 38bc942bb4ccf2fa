"""Patterns in the samples: by hour of day, by day, and against last month.

The hour-of-day finding looks at download and, where the speed tests
measured it against a plan, upload: a line can be slow upstream only in the
evening (everyone's cloud backup, a neighbour's uploads on a shared cable
segment) while its download is fine.

Everything here works on hourly buckets (roll-ups for old data, raw rows
for the current hour), so a year of minute samples is 8,760 buckets and the
trends take milliseconds. Hours are the person's local hours: "every
evening 19-23 h" means their evening, not UTC's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

from homecare.store.samples import HourBucket

DAY_S = 86400.0
#: fewer speed samples than this in an hour of day tell nothing about it
MIN_SPEED_SAMPLES = 3
#: share of days the slow hours must be slow on to count as "every day"
MOST_DAYS = 0.6

SLOW_HOURS_CODE = "monitor.trend.slow_hours"
SLOW_UPLOAD_HOURS_CODE = "monitor.trend.slow_upload_hours"

Direction = Literal["download", "upload"]
#: the finding's code for each direction
SLOW_HOURS_CODES: dict[Direction, str] = {
    "download": SLOW_HOURS_CODE,
    "upload": SLOW_UPLOAD_HOURS_CODE,
}


@dataclass(frozen=True)
class HourStats:
    """One hour of the day (local), over all days in the range."""

    hour: int
    availability: float | None
    rtt_ms: float | None
    loss: float | None
    down_mbit: float | None
    down_ratio: float | None
    speed_samples: int
    up_ratio: float | None = None
    up_speed_samples: int = 0


@dataclass(frozen=True)
class DayStats:
    day: date
    availability: float | None
    samples: int
    rtt_ms: float | None
    down_mbit: float | None
    down_ratio: float | None


@dataclass(frozen=True)
class SlowHours:
    """The hour-of-day finding: "every evening 19-23 h your download (or upload)
    falls to 40 % of plan"."""

    start_hour: int
    end_hour: int  # exclusive; may wrap past midnight
    ratio: float
    other_ratio: float | None
    days_slow: int
    days_seen: int
    direction: Direction = "download"

    @property
    def code(self) -> str:
        return SLOW_HOURS_CODES[self.direction]


@dataclass(frozen=True)
class Change:
    """This period against the one before, for the same length of time."""

    availability: tuple[float | None, float | None]
    down_mbit: tuple[float | None, float | None]
    rtt_ms: tuple[float | None, float | None]


@dataclass(frozen=True)
class Trends:
    hours: list[HourStats]
    days: list[DayStats]
    slow_hours: SlowHours | None
    change: Change | None
    slow_upload_hours: SlowHours | None = None

    def slow_findings(self) -> list[SlowHours]:
        """The hour-of-day findings, download first."""
        return [s for s in (self.slow_hours, self.slow_upload_hours) if s is not None]


@dataclass
class _Acc:
    inet_n: int = 0
    inet_ok: int = 0
    rtt_sum: float = 0.0
    rtt_n: int = 0
    loss_sum: float = 0.0
    loss_n: int = 0
    down_sum: float = 0.0
    down_n: int = 0
    ratio_sum: float = 0.0
    ratio_n: int = 0
    up_ratio_sum: float = 0.0
    up_ratio_n: int = 0
    n: int = 0

    def add(self, b: HourBucket) -> None:
        self.n += b.n
        self.inet_n += b.internet_n
        self.inet_ok += b.internet_ok
        self.rtt_sum += b.rtt_sum
        self.rtt_n += b.rtt_n
        self.loss_sum += b.loss_sum
        self.loss_n += b.loss_n
        self.down_sum += b.down_sum
        self.down_n += b.down_n
        self.ratio_sum += b.ratio_sum
        self.ratio_n += b.ratio_n
        self.up_ratio_sum += b.up_ratio_sum
        self.up_ratio_n += b.up_ratio_n

    def add_totals(self, other: _Acc) -> None:
        for name in _ACC_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def availability(self) -> float | None:
        return self.inet_ok / self.inet_n if self.inet_n else None

    def rtt(self) -> float | None:
        return self.rtt_sum / self.rtt_n if self.rtt_n else None

    def loss(self) -> float | None:
        return self.loss_sum / self.loss_n if self.loss_n else None

    def down(self) -> float | None:
        return self.down_sum / self.down_n if self.down_n else None

    def ratio(self) -> float | None:
        return self.ratio_sum / self.ratio_n if self.ratio_n else None

    def up_ratio(self) -> float | None:
        return self.up_ratio_sum / self.up_ratio_n if self.up_ratio_n else None

    def ratio_of(self, direction: Direction) -> tuple[float | None, int]:
        """The mean share of plan in *direction* and how many tests it is over."""
        if direction == "upload":
            return self.up_ratio(), self.up_ratio_n
        return self.ratio(), self.ratio_n


_ACC_FIELDS = tuple(_Acc.__dataclass_fields__)


def compute_trends(
    buckets: Sequence[HourBucket],
    tz: tzinfo,
    *,
    now: float,
    days: int = 30,
    below_plan_ratio: float = 0.7,
    earlier: Sequence[HourBucket] = (),
) -> Trends:
    """Hour-of-day and daily figures of *buckets*, the slow-hours finding and the change
    against *earlier* (the same length of time just before)."""
    by_hour = [_Acc() for _ in range(24)]
    by_day: dict[date, _Acc] = defaultdict(_Acc)
    by_day_hour: dict[tuple[date, int], _Acc] = defaultdict(_Acc)
    total = _Acc()
    for b in buckets:
        local = datetime.fromtimestamp(b.hour, tz)
        day, hour = local.date(), local.hour
        by_hour[hour].add(b)
        by_day[day].add(b)
        if b.ratio_n or b.up_ratio_n:
            by_day_hour[(day, hour)].add(b)
        total.add(b)
    hours = [_hour_stats(h, a) for h, a in enumerate(by_hour)]
    day_list = [
        DayStats(d, a.availability(), a.n, a.rtt(), a.down(), a.ratio())
        for d, a in sorted(by_day.items())
    ]
    change = None
    if earlier:
        before = _Acc()
        for b in earlier:
            before.add(b)
        change = Change(
            (before.availability(), total.availability()),
            (before.down(), total.down()),
            (before.rtt(), total.rtt()),
        )
    return Trends(
        hours=hours,
        days=day_list,
        slow_hours=find_slow_hours(by_hour, by_day_hour, below_plan_ratio),
        change=change,
        slow_upload_hours=find_slow_hours(by_hour, by_day_hour, below_plan_ratio, "upload"),
    )


def _hour_stats(hour: int, a: _Acc) -> HourStats:
    return HourStats(
        hour,
        a.availability(),
        a.rtt(),
        a.loss(),
        a.down(),
        a.ratio(),
        a.ratio_n,
        up_ratio=a.up_ratio(),
        up_speed_samples=a.up_ratio_n,
    )


def find_slow_hours(
    by_hour: Sequence[_Acc],
    by_day_hour: dict[tuple[date, int], _Acc],
    threshold: float,
    direction: Direction = "download",
) -> SlowHours | None:
    """The longest run of hours (wrapping at midnight) whose *direction* is below
    *threshold* of plan, if it is slow on most days and the rest of the day is not.
    Days without a test in *direction* in those hours are not counted."""
    slow = [_slow(a, direction, threshold, MIN_SPEED_SAMPLES) for a in by_hour]
    if not any(slow) or all(slow):
        return None
    # rotate so the run does not start in the middle of one that wraps midnight
    first_fast = slow.index(False)
    best: tuple[int, int] | None = None
    run_start, run_len = 0, 0
    for i in range(1, 25):
        h = (first_fast + i) % 24
        if slow[h]:
            if run_len == 0:
                run_start = h
            run_len += 1
            if best is None or run_len > best[1]:
                best = (run_start, run_len)
        else:
            run_len = 0
    if best is None:
        return None
    start, length = best
    window = {(start + k) % 24 for k in range(length)}
    inside, outside = _Acc(), _Acc()
    for h, a in enumerate(by_hour):
        (inside if h in window else outside).add_totals(a)
    days: dict[date, _Acc] = defaultdict(_Acc)
    for (day, hour), a in by_day_hour.items():
        if hour in window and a.ratio_of(direction)[1]:
            days[day].add_totals(a)
    slow_days = sum(1 for a in days.values() if _slow(a, direction, threshold, 1))
    if not days or slow_days < MOST_DAYS * len(days):
        return None
    other = outside.ratio_of(direction)[0]
    if other is not None and other < threshold:
        return None  # slow all day: that is the speed rule's finding, not a pattern
    return SlowHours(
        start_hour=start,
        end_hour=(start + length) % 24,
        ratio=inside.ratio_of(direction)[0] or 0.0,
        other_ratio=other,
        days_slow=slow_days,
        days_seen=len(days),
        direction=direction,
    )


def _slow(a: _Acc, direction: Direction, threshold: float, min_tests: int) -> bool:
    ratio, tests = a.ratio_of(direction)
    return tests >= min_tests and (ratio or 1.0) < threshold
