"""``homecare history trends`` in the terminal: sparklines that fit, or plain words.

Sparklines use the eight block characters, one per hour of the day or per
day (days are merged when they do not fit the width); ``plain`` gives the
same figures as sentences for screen readers and logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TextIO

from homecare.i18n import _
from homecare.monitor.period import Period
from homecare.monitor.trends import SlowHours

BLOCKS = "▁▂▃▄▅▆▇█"
LABEL_WIDTH = 24


def sparkline(
    values: Sequence[float | None], width: int, low: float = 0.0, high: float | None = None
) -> str:
    """*values* as block characters, merged into at most *width* cells; gaps are spaces."""
    if width <= 0 or not values:
        return ""
    if len(values) > width:
        step = len(values) / width
        merged: list[float | None] = []
        for i in range(width):
            chunk = [v for v in values[int(i * step) : int((i + 1) * step)] if v is not None]
            merged.append(sum(chunk) / len(chunk) if chunk else None)
        values = merged
    known = [v for v in values if v is not None]
    top = high if high is not None else (max(known) if known else 1.0)
    span = (top - low) or 1.0
    cells = []
    for v in values:
        if v is None:
            cells.append(" ")
            continue
        level = round((min(max(v, low), top) - low) / span * (len(BLOCKS) - 1))
        cells.append(BLOCKS[level])
    return "".join(cells)


def slow_hours_sentence(slow: SlowHours) -> str:
    if slow.direction == "upload":
        sentence = _(
            "Every day {start}–{end} h your upload falls to {pct:.0f} % of your plan "
            "(slow on {slow} of {seen} days)."
        )
    else:
        sentence = _(
            "Every day {start}–{end} h your download falls to {pct:.0f} % of your plan "
            "(slow on {slow} of {seen} days)."
        )
    return sentence.format(
        start=slow.start_hour,
        end=slow.end_hour or 24,
        pct=100 * slow.ratio,
        slow=slow.days_slow,
        seen=slow.days_seen,
    )


def render_trends(
    period: Period, tz: tzinfo, out: TextIO, width: int = 100, plain: bool = False
) -> None:
    t = period.trends
    days = max(1, round(period.days))
    out.write(
        _("Your line over the last {days} days ({n} samples)").format(days=days, n=period.samples)
        + "\n"
    )
    if period.samples == 0:
        out.write(_("No samples yet. Start watching with 'homecare monitor run'.") + "\n")
        return
    for slow in t.slow_findings():
        out.write(slow_hours_sentence(slow) + "\n")
    out.write(
        _("Outages: {n}, offline {minutes:.0f} min in total.").format(
            n=len(period.outages), minutes=period.offline_s() / 60
        )
        + "\n"
    )
    if plain:
        _plain(period, tz, out)
    else:
        _sparklines(period, out, width)
    _change(period, out)


def _sparklines(period: Period, out: TextIO, width: int) -> None:
    t = period.trends
    cells = max(8, width - LABEL_WIDTH - 2)
    rows = [
        (_("Download by hour, % of plan"), [h.down_ratio for h in t.hours], 0.0, 1.0),
        (_("Upload by hour, % of plan"), [h.up_ratio for h in t.hours], 0.0, 1.0),
        (_("Round trip by hour"), [h.rtt_ms for h in t.hours], 0.0, None),
        (_("Reachable by day"), [d.availability for d in t.days], 0.0, 1.0),
        (_("Download by day"), [d.down_mbit for d in t.days], 0.0, None),
    ]
    for label, values, low, high in rows:
        if not any(v is not None for v in values):
            continue
        out.write(f"{label[:LABEL_WIDTH]:<{LABEL_WIDTH}}  {sparkline(values, cells, low, high)}\n")
    out.write(f"{'':<{LABEL_WIDTH}}  {'0 h':<{min(cells, 24) - 4}}23 h\n")


def _plain(period: Period, tz: tzinfo, out: TextIO) -> None:
    for h in period.trends.hours:
        parts = []
        if h.availability is not None:
            parts.append(_("reachable {pct:.1f} %").format(pct=100 * h.availability))
        if h.rtt_ms is not None:
            parts.append(_("round trip {ms:.0f} ms").format(ms=h.rtt_ms))
        if h.down_ratio is not None:
            parts.append(
                _("download {pct:.0f} % of plan ({n} tests)").format(
                    pct=100 * h.down_ratio, n=h.speed_samples
                )
            )
        if h.up_ratio is not None:
            parts.append(
                _("upload {pct:.0f} % of plan ({n} tests)").format(
                    pct=100 * h.up_ratio, n=h.up_speed_samples
                )
            )
        if parts:
            out.write(
                _("At {hour} h: {figures}.").format(hour=h.hour, figures=", ".join(parts)) + "\n"
            )
    for o in period.outages:
        out.write(
            _("Outage {start}, {minutes:.1f} min, {segment}.").format(
                start=datetime.fromtimestamp(o.start, tz).strftime("%Y-%m-%d %H:%M"),
                minutes=o.duration_s(period.end) / 60,
                segment=o.segment,
            )
            + "\n"
        )


def _change(period: Period, out: TextIO) -> None:
    change = period.trends.change
    if change is None:
        return
    (a0, a1), (d0, d1), (r0, r1) = change.availability, change.down_mbit, change.rtt_ms
    parts = []
    if a0 is not None and a1 is not None:
        parts.append(
            _("reachable {before:.2f} % → {now:.2f} %").format(before=100 * a0, now=100 * a1)
        )
    if d0 and d1 is not None:
        parts.append(_("download {before:.0f} → {now:.0f} Mbit/s").format(before=d0, now=d1))
    if r0 is not None and r1 is not None:
        parts.append(_("round trip {before:.0f} → {now:.0f} ms").format(before=r0, now=r1))
    if parts:
        out.write(_("Since the period before: {changes}.").format(changes="; ".join(parts)) + "\n")
