"""Charts as inline SVG built on the server: nothing loads from the network,
no script runs, and every chart sits beside a table with the same numbers
(the table is what screen readers and the export use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_WIDTH = 420  # px of the longest bar
ROW_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden (fewer than k installations)
    width: float
    y: int
    text: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    height: int
    max_label: int
    translate: bool = True  # False: the title is data (a finding code), shown as is


def bar_chart(
    title: str, items: Sequence[tuple[str, float | None]], unit: str = "", translate: bool = True
) -> BarChart:
    """Horizontal bars, longest = ``BAR_WIDTH``; hidden values get no bar."""
    top = max((v for _, v in items if v is not None), default=0.0) or 1.0
    bars = []
    for i, (label, value) in enumerate(items):
        width = 0.0 if value is None else BAR_WIDTH * value / top
        text = "<k" if value is None else f"{value:g}{unit}"
        bars.append(Bar(label, value, round(width, 1), i * ROW_HEIGHT, text))
    longest = max((len(label) for label, _ in items), default=4)
    height = max(ROW_HEIGHT, len(bars) * ROW_HEIGHT)
    return BarChart(title, tuple(bars), height, min(longest, 28), translate)
