"""The best figure measured for each hop of the path, and what it proves.

One fact, one figure: a check may hold 5 reachability pings and several
hundred latency probes to the same router. Rules and the summary table both
read :func:`path_figures`, which picks the larger series, so the table never
says "40 % loss" beside a finding that says "5 % lost".

Loss is judged on its interval, not its point estimate: a finding only when
the whole interval lies above the threshold, nothing when it lies below, and
"could not tell" when it straddles the threshold after some loss was seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from homecare.diagnose.base import RuleContext
from homecare.diagnose.quality_rules import payload
from homecare.models import PingResult, ReachabilityData
from homecare.models.connection import LatencyData, LatencySeries, Role
from homecare.probes.latency.stats import quantile_interval, wilson_interval

LossJudgement = Literal["clear", "lossy", "unclear"]


@dataclass(frozen=True)
class PathFigure:
    """Loss and delay to one target, from whichever probe measured it best."""

    target: str
    role: Role
    method: str
    sent: int
    received: int
    loss_low: float
    loss_high: float
    median_ms: float | None
    median_low_ms: float | None
    median_high_ms: float | None
    #: from the long latency series (True) or the reachability pings (False)
    sustained: bool

    @property
    def loss(self) -> float:
        return 0.0 if self.sent <= 0 else (self.sent - self.received) / self.sent

    @property
    def lost(self) -> int:
        return self.sent - self.received

    def judge_loss(self, threshold: float) -> LossJudgement:
        """Above, below or straddling *threshold*, by the interval."""
        if self.loss_low > threshold:
            return "lossy"
        if self.loss_high <= threshold or self.lost == 0:
            return "clear"
        return "unclear"

    def evidence(self) -> dict[str, object]:
        """Flat, readable evidence (percentages rounded as they are shown)."""
        return {
            "target": self.target,
            "method": self.method,
            "sent": self.sent,
            "loss_pct": round(self.loss * 100, 1),
            "loss_interval_pct": f"{self.loss_low * 100:.1f}-{self.loss_high * 100:.1f}",
            "median_ms": self.median_ms,
        }


def from_ping(p: PingResult) -> PathFigure:
    low, high = wilson_interval(p.sent - p.received, p.sent)
    med = med_low = med_high = None
    if p.rtts_ms:
        ordered = sorted(p.rtts_ms)
        n = len(ordered)
        med = round((ordered[(n - 1) // 2] + ordered[n // 2]) / 2, 2)
        med_low, med_high = quantile_interval(ordered, 50)
    return PathFigure(
        target=p.target, role=p.role, method=p.method, sent=p.sent, received=p.received,
        loss_low=low, loss_high=high, median_ms=med, median_low_ms=med_low,
        median_high_ms=med_high, sustained=False,
    )  # fmt: skip


def from_series(s: LatencySeries) -> PathFigure:
    st = s.stats
    if st.loss_low is not None and st.loss_high is not None:
        low, high = st.loss_low, st.loss_high
    else:  # a report saved before intervals were stored
        low, high = wilson_interval(st.sent - st.received, st.sent)
    return PathFigure(
        target=s.target, role=s.role, method=s.method, sent=st.sent, received=st.received,
        loss_low=low, loss_high=high, median_ms=st.median_ms,
        median_low_ms=st.median_low_ms if st.median_low_ms is not None else st.median_ms,
        median_high_ms=st.median_high_ms if st.median_high_ms is not None else st.median_ms,
        sustained=True,
    )  # fmt: skip


def all_figures(reach: ReachabilityData | None, latency: LatencyData | None) -> list[PathFigure]:
    """Every measurement of every target, the larger series first per target."""
    figures = [from_series(s) for s in (latency.series if latency else []) if s.stats.sent]
    figures += [from_ping(p) for p in (reach.pings if reach else []) if p.sent]
    return sorted(figures, key=lambda f: -f.sent)


def best_per_target(figures: Sequence[PathFigure]) -> dict[str, PathFigure]:
    """The figure with the most probes for each target."""
    best: dict[str, PathFigure] = {}
    for f in figures:
        if f.target not in best or f.sent > best[f.target].sent:
            best[f.target] = f
    return best


@dataclass(frozen=True)
class PathFigures:
    gateway: PathFigure | None
    internet: list[PathFigure]

    @property
    def gateway_answers(self) -> bool | None:
        return None if self.gateway is None else self.gateway.received > 0

    @property
    def internet_answers(self) -> bool | None:
        return None if not self.internet else any(f.received > 0 for f in self.internet)

    def best_internet(self) -> PathFigure | None:
        """The least lossy internet target that answered (one bad host is not the line)."""
        answering = [f for f in self.internet if f.received > 0]
        return min(answering, key=lambda f: (f.loss, -f.sent), default=None)


def path_figures_of(reach: ReachabilityData | None, latency: LatencyData | None) -> PathFigures:
    figures = all_figures(reach, latency)
    by_target = best_per_target(figures)
    # a target that answered in one series answers (the other may have been cut short)
    answered = {f.target for f in figures if f.received > 0}
    gateway = next((f for f in by_target.values() if f.role == "gateway"), None)
    internet = [f for f in by_target.values() if f.role == "internet"]
    if gateway is not None and gateway.received == 0 and gateway.target in answered:
        gateway = next(f for f in figures if f.target == gateway.target and f.received > 0)
    return PathFigures(gateway=gateway, internet=internet)


def path_figures(ctx: RuleContext) -> PathFigures:
    return path_figures_of(ctx.data(ReachabilityData), payload(ctx, LatencyData))
