"""The outage log: when the internet (or the router) did not answer, how long, where.

An outage is a run of light samples in which nothing beyond the router
answered. It starts at the first failing sample and ends at the first sample
that reaches the internet again, so its length is right to within one
interval. Time nobody watched (the monitor was stopped, the machine slept)
is never counted as down: a gap closes the outage at its last failing
sample, and samples taken while the network settles after a resume are
ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from homecare.store.samples import Sample

#: segments that mean "inside the home" when the router itself did not answer
_HOME_SEGMENTS = ("device", "wifi", "lan", "router")


@dataclass(frozen=True)
class Outage:
    start: float
    #: first good sample after it; None while it lasts
    end: float | None
    segment: str
    samples: int
    #: False when the monitor stopped watching before the line came back
    end_known: bool = True
    last_failed: float = 0.0

    def duration_s(self, now: float | None = None) -> float:
        if self.end is not None:
            return self.end - self.start
        return (now if now is not None else self.last_failed) - self.start


def find_outages(samples: Iterable[Sample]) -> list[Outage]:
    """Outages in *samples* (any order is fine; they are sorted by time)."""
    ordered = sorted(
        (s for s in samples if s.internet_ok is not None and not s.settling), key=lambda s: s.ts
    )
    outages: list[Outage] = []
    failing: list[Sample] = []

    def close(end: float | None, known: bool) -> None:
        if failing:
            outages.append(
                Outage(
                    start=failing[0].ts,
                    end=end,
                    segment=_segment(failing),
                    samples=len(failing),
                    end_known=known,
                    last_failed=failing[-1].ts,
                )
            )
            failing.clear()

    for sample in ordered:
        if sample.gap_before and failing:
            close(failing[-1].ts, known=False)
        if sample.internet_ok:
            close(sample.ts, known=True)
        else:
            failing.append(sample)
    if failing:
        close(None, known=False)
    return outages


def _segment(failing: list[Sample]) -> str:
    """Where most of the outage lay: inside the home when the router was silent too."""
    votes: Counter[str] = Counter()
    for s in failing:
        if s.router_ok is False:
            votes[s.segment if s.segment in _HOME_SEGMENTS else "router"] += 1
        else:
            votes["provider" if s.segment in (None, "unknown", "internet") else s.segment] += 1
    return votes.most_common(1)[0][0]
