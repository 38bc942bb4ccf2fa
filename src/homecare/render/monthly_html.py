"""The monthly report of the line: one self-contained HTML file a customer can send.

Charts are inline SVG drawn here, styles are in the page, and a Content
Security Policy forbids every fetch, so the file opens offline and tells
nobody it was opened. Every text is cleaned of control characters
(:mod:`homecare.render.sanitize`) and HTML-escaped by Jinja2's autoescape.
The person's theme applies; high-contrast means large type, thick lines
and strong colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from statistics import median

from jinja2 import Environment, FileSystemLoader, select_autoescape

from homecare.i18n import _
from homecare.monitor.period import Period
from homecare.render.sanitize import clean_text
from homecare.render.trends_text import slow_hours_sentence

_TEMPLATES = Path(__file__).resolve().parent / "templates"
CHART_W, CHART_H = 720, 200
_TOP, _BOTTOM, _LEFT = 10, 20, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    css: str
    tip: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    gridlines: list[tuple[float, str]]
    xlabels: list[tuple[float, str]]
    line: str = ""
    width: int = CHART_W
    height: int = CHART_H


def bar_chart(
    title: str,
    description: str,
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    top: float,
    unit: str,
    low_below: float | None = None,
    label_every: int = 1,
) -> Chart:
    """Bars for *values* scaled to *top*; bars under *low_below* are drawn as bad."""
    plot_h = CHART_H - _TOP - _BOTTOM
    slot = (CHART_W - _LEFT) / max(1, len(values))
    top = top or 1.0
    bars, xlabels = [], []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = _LEFT + i * slot
        if i % label_every == 0:
            xlabels.append((round(x + slot / 2, 1), label))
        if value is None:
            continue
        h = plot_h * min(value, top) / top
        css = "low" if low_below is not None and value < low_below else "bar"
        bars.append(
            Bar(
                round(x + slot * 0.1, 1),
                round(_TOP + plot_h - h, 1),
                round(slot * 0.8, 1),
                round(h, 1),
                css,
                f"{label}: {value:.1f} {unit}",
            )
        )
    gridlines = [(round(_TOP + plot_h * (1 - f), 1), f"{top * f:.0f}") for f in (0.0, 0.5, 1.0)]
    return Chart(clean_text(title), clean_text(description), bars, gridlines, xlabels)


def render_monthly(
    period: Period,
    *,
    tz: tzinfo,
    language: str,
    theme: str,
    provider: str | None,
    plan_down_mbit: float | None,
) -> str:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    template = env.get_template("monthly.html.j2")
    return template.render(
        lang=clean_text(language),
        theme=theme,
        provider=clean_text(provider or ""),
        t=_labels(period, tz),
        cards=_cards(period, plan_down_mbit),
        findings=[slow_hours_sentence(slow) for slow in period.trends.slow_findings()],
        charts=_charts(period, tz, plan_down_mbit),
        outages=[
            {
                "start": datetime.fromtimestamp(o.start, tz).strftime("%Y-%m-%d %H:%M"),
                "duration": _("{minutes:.1f} min").format(minutes=o.duration_s(period.end) / 60),
                "segment": clean_text(o.segment),
            }
            for o in period.outages
        ],
        change=_change_lines(period),
    )


def _labels(period: Period, tz: tzinfo) -> dict[str, str]:
    start = datetime.fromtimestamp(period.start, tz).strftime("%Y-%m-%d")
    end = datetime.fromtimestamp(period.end, tz).strftime("%Y-%m-%d")
    return {
        "title": _("Your line this month"),
        "period": _("{start} to {end}, {n} samples").format(start=start, end=end, n=period.samples),
        "summary_heading": _("At a glance"),
        "outages_heading": _("Outages"),
        "start": _("Start"),
        "duration": _("Duration"),
        "segment": _("Where"),
        "no_outages": _("No outages. Your line stayed up the whole time."),
        "change_heading": _("Since the month before"),
        "footer": _("Made by homecare on this computer from its own measurements."),
    }


def _cards(period: Period, plan: float | None) -> list[dict[str, str]]:
    t = period.trends
    reach = [d.availability for d in t.days if d.availability is not None]
    downs = [d.down_mbit for d in t.days if d.down_mbit is not None]
    rtts = [h.rtt_ms for h in t.hours if h.rtt_ms is not None]
    cards: list[dict[str, str]] = []
    if reach:
        cards.append({"label": _("Reachable"), "value": f"{100 * sum(reach) / len(reach):.2f} %",
                      "note": _("of all checks")})  # fmt: skip
    cards.append({
        "label": _("Outages"), "value": str(len(period.outages)),
        "note": _("{minutes:.0f} min offline").format(minutes=period.offline_s() / 60),
    })  # fmt: skip
    if downs:
        note = _("plan {plan:.0f} Mbit/s").format(plan=plan) if plan else ""
        cards.append({"label": _("Typical download"), "value": f"{median(downs):.0f} Mbit/s",
                      "note": note})  # fmt: skip
    if rtts:
        cards.append({"label": _("Round trip"), "value": f"{median(rtts):.0f} ms",
                      "note": _("typical")})  # fmt: skip
    return cards


def _charts(period: Period, tz: tzinfo, plan: float | None) -> list[Chart]:
    t = period.trends
    charts: list[Chart] = []
    days = t.days
    if any(d.availability is not None for d in days):
        charts.append(
            bar_chart(
                _("Reachable, day by day"),
                _("Share of checks that reached the internet, per day (%)."),
                [None if d.availability is None else 100 * d.availability for d in days],
                [d.day.strftime("%d") for d in days],
                top=100,
                unit="%",
                low_below=99.0,
                label_every=max(1, len(days) // 15),
            )
        )
    if any(h.down_ratio is not None for h in t.hours):
        charts.append(
            bar_chart(
                _("Download by hour of day"),
                _("Download as a share of your plan, by hour of the day (%)."),
                [None if h.down_ratio is None else 100 * h.down_ratio for h in t.hours],
                [str(h.hour) for h in t.hours],
                top=100,
                unit="%",
                low_below=70.0,
                label_every=2,
            )
        )
    rtts = [h.rtt_ms for h in t.hours]
    known = [r for r in rtts if r is not None]
    if known:
        charts.append(
            bar_chart(
                _("Round trip by hour of day"),
                _("Typical time for an answer from the internet, by hour of the day (ms)."),
                rtts,
                [str(h) for h in range(24)],
                top=max(known) * 1.2,
                unit="ms",
                label_every=2,
            )
        )
    return charts


def _change_lines(period: Period) -> list[str]:
    change = period.trends.change
    if change is None:
        return []
    out: list[str] = []
    (a0, a1), (d0, d1), (r0, r1) = change.availability, change.down_mbit, change.rtt_ms
    if a0 is not None and a1 is not None:
        out.append(
            _("Reachable: {before:.2f} % then, {now:.2f} % now.").format(
                before=100 * a0, now=100 * a1
            )
        )
    if d0 is not None and d1 is not None:
        out.append(
            _("Download: {before:.0f} Mbit/s then, {now:.0f} Mbit/s now.").format(before=d0, now=d1)
        )
    if r0 is not None and r1 is not None:
        out.append(
            _("Round trip: {before:.0f} ms then, {now:.0f} ms now.").format(before=r0, now=r1)
        )
    return out
