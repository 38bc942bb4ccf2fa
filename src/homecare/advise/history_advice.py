"""The home's own baseline: today's figures against what is usual *here*.

"45 ms" means little; "your router usually answers in 2 ms; today 45 ms"
tells a person that something changed, and tells support where. A metric
says how to read one figure out of a report and which findings it explains;
plugins and other areas add their own through the ``homecare_history_metrics``
hook, so there is no module-level registry for tests to patch.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from homecare.i18n import _
from homecare.models import DnsData, ReachabilityData, Report, answer_times

BASELINE_CHECKS = 10  # how many recent successful checks make "usual"
MIN_CHECKS = 3  # fewer than this is not yet a habit


def baseline(
    values: Sequence[float], last: int = BASELINE_CHECKS, minimum: int = MIN_CHECKS
) -> float | None:
    """The usual value: the median of the *last* values (oldest first).

    The median, because one bad evening must not become the norm; None until
    there are *minimum* values, because two checks are not a habit.
    """
    recent = list(values)[-last:] if last > 0 else list(values)
    if len(recent) < max(minimum, 1):
        return None
    return float(statistics.median(recent))


def number(value: float) -> str:
    """Figures as people say them: 2 ms, 0.4 ms, 45 ms, 300 Mbit/s."""
    if abs(value) >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}"


@dataclass(frozen=True)
class Metric:
    """One figure with a usual value.

    ``measure`` returns the figure from a report, or None when it was not
    measured (or failed: a failed check is not "usual"). ``note`` turns the
    usual and today's figure (None: no answer today) into a sentence; it is
    called when the note is made, so ``_()`` uses the active language.

    When today is within ``tolerance`` (a fraction) of the usual value the
    problem is not new: ``usual_note`` says so ("this is usual for your
    home"), or no note is made when it is None.
    """

    name: str
    codes: tuple[str, ...]
    measure: Callable[[Report], float | None]
    note: Callable[[str, str | None], str]
    fmt: Callable[[float], str] = number
    usual_note: Callable[[str], str] | None = None
    tolerance: float = 0.25

    def describe(self, usual: float, now: float | None) -> str | None:
        """The sentence for today against *usual*, or None."""
        if now is not None and abs(now - usual) <= self.tolerance * abs(usual):
            return self.usual_note(self.fmt(usual)) if self.usual_note else None
        return self.note(self.fmt(usual), None if now is None else self.fmt(now))


def evidence_metric(
    name: str, code: str, key: str, note: Callable[[str, str | None], str]
) -> Metric:
    """A metric read from a finding's evidence number (``code``'s ``key``).

    For figures only known when the finding fires: "usual" is then the usual
    value *when this happens*, which still shows whether today is worse.
    """

    def measure(report: Report) -> float | None:
        for f in report.findings:
            value = f.evidence.get(key) if f.code == code else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    return Metric(name=name, codes=(code,), measure=measure, note=note)


def history_notes(
    report: Report, past: Iterable[Report], metrics: Sequence[Metric] | None = None
) -> dict[str, str]:
    """A note per finding code in *report* that one of the metrics explains.

    *past* is the home's earlier reports, newest first (as the history returns
    them); the current report must not be among them.
    """
    earlier = [r for r in past if r.id != report.id]
    earlier.reverse()  # oldest first, as baseline() expects
    present = {f.code for f in report.findings}
    notes: dict[str, str] = {}
    for metric in BUILTIN_METRICS if metrics is None else metrics:
        related = [c for c in metric.codes if c in present and c not in notes]
        if not related:
            continue
        values = [v for v in (_safe(metric, r) for r in earlier) if v is not None]
        usual = baseline(values)
        if usual is None:
            continue
        text = metric.describe(usual, _safe(metric, report))
        if text is None:
            continue
        for code in related:
            notes[code] = text
    return notes


def with_history_notes(
    report: Report, past: Iterable[Report], metrics: Sequence[Metric] | None = None
) -> Report:
    """*report* with each guidance's ``history_note`` filled in where known."""
    notes = history_notes(report, past, metrics)
    if not notes:
        return report
    guidance = [
        g.model_copy(update={"history_note": notes[g.code]}) if g.code in notes else g
        for g in report.guidance
    ]
    return report.model_copy(update={"guidance": guidance})


def _safe(metric: Metric, report: Report) -> float | None:
    """A metric that cannot read an old report yields nothing, never an error."""
    try:
        return metric.measure(report)
    except Exception:  # a plugin's metric must not break advice
        return None


def _ping_median(report: Report, role: str) -> float | None:
    reach: Any = report.data_of(ReachabilityData)
    if not isinstance(reach, ReachabilityData):
        return None
    medians = [statistics.median(p.rtts_ms) for p in reach.pings if p.role == role and p.rtts_ms]
    return float(min(medians)) if medians else None


def _dns_median(report: Report) -> float | None:
    dns: Any = report.data_of(DnsData)
    if not isinstance(dns, DnsData):
        return None
    system = [lk for lk in dns.lookups if lk.resolver is None] or dns.lookups
    ok = answer_times(system)
    return float(statistics.median(ok)) if ok else None


def _router_note(usual: str, now: str | None) -> str:
    if now is None:
        return _("Your router usually answers in {usual} ms; today it did not answer.").format(
            usual=usual
        )
    return _("Your router usually answers in {usual} ms; today {now} ms.").format(
        usual=usual, now=now
    )


def _router_usual(usual: str) -> str:
    return _("Your router answers in about {usual} ms at every check: this is usual here.").format(
        usual=usual
    )


def _internet_usual(usual: str) -> str:
    return _("The internet answers in about {usual} ms at every check: this is usual here.").format(
        usual=usual
    )


def _dns_usual(usual: str) -> str:
    return _("Name lookups take about {usual} ms at every check: this is usual here.").format(
        usual=usual
    )


def _internet_note(usual: str, now: str | None) -> str:
    if now is None:
        return _("The internet usually answers in {usual} ms; today it did not answer.").format(
            usual=usual
        )
    return _("The internet usually answers in {usual} ms; today {now} ms.").format(
        usual=usual, now=now
    )


def _dns_note(usual: str, now: str | None) -> str:
    if now is None:
        return _("Name lookups usually take {usual} ms here; today they failed.").format(
            usual=usual
        )
    return _("Name lookups usually take {usual} ms here; today {now} ms.").format(
        usual=usual, now=now
    )


#: the figures every home has a baseline for; plugins add theirs by hook
BUILTIN_METRICS: tuple[Metric, ...] = (
    Metric(
        name="gateway_rtt_ms",
        codes=("lan.latency.high", "lan.loss", "router.unreachable"),
        measure=lambda r: _ping_median(r, "gateway"),
        note=_router_note,
        usual_note=_router_usual,
    ),
    Metric(
        name="internet_rtt_ms",
        codes=("internet.latency.high", "internet.loss", "provider.no_internet"),
        measure=lambda r: _ping_median(r, "internet"),
        note=_internet_note,
        usual_note=_internet_usual,
    ),
    Metric(
        name="dns_ms",
        codes=("dns.slow", "dns.failing"),
        measure=_dns_median,
        note=_dns_note,
        usual_note=_dns_usual,
    ),
)
