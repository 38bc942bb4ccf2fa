"""The rich console report: the verdict first, then facts, then what to do."""

from __future__ import annotations

import textwrap
from typing import TextIO

from homecare.i18n import _
from homecare.models import Report, Severity
from homecare.render.base import RenderOptions, Theme
from homecare.render.sanitize import clean_view
from homecare.render.view import build_view, headline_mark, severity_label, severity_symbol

THEMES: dict[Theme, dict[str, str]] = {
    "default": {
        "ok": "bold green",
        "bad": "bold red",
        "label": "cyan",
        Severity.INFO: "blue",
        Severity.WARNING: "yellow",
        Severity.PROBLEM: "red",
        Severity.CRITICAL: "bold red",
        "muted": "dim",
    },
    "high-contrast": {
        "ok": "bold bright_white on green",
        "bad": "bold bright_white on red",
        "label": "bold bright_white",
        Severity.INFO: "bold bright_white",
        Severity.WARNING: "bold black on bright_yellow",
        Severity.PROBLEM: "bold bright_white on red",
        Severity.CRITICAL: "bold bright_white on red",
        "muted": "bright_white",
    },
    "monochrome": {
        "ok": "bold",
        "bad": "bold",
        "label": "",
        Severity.INFO: "",
        Severity.WARNING: "bold",
        Severity.PROBLEM: "bold",
        Severity.CRITICAL: "bold reverse",
        "muted": "",
    },
}


class ConsoleRenderer:
    name = "console"

    def render(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        from rich.console import Console
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        style = THEMES[options.theme]
        console = Console(
            file=out,
            width=options.width,
            no_color=not options.color,
            color_system="auto" if options.color else None,
            highlight=False,
            emoji=False,
        )
        view = clean_view(build_view(report, options))
        mark = f"{headline_mark(view.tone)} " if options.symbols else ""
        tone_style = {
            "ok": style["ok"],
            "tip": style[Severity.WARNING],
            "fault": style["bad"],
            "unknown": style[Severity.WARNING],
        }[view.tone]
        console.print(Panel(Text(mark + view.headline, style=tone_style), expand=False))
        if view.facts:
            table = Table(show_header=False, box=None, pad_edge=False)
            table.add_column(style=style["label"], no_wrap=True)
            table.add_column(overflow="fold")
            for label, value in view.facts:
                table.add_row(label, value)
            console.print(table)
        if view.devices:
            console.print()
            inv = Table(title=view.devices_title, title_justify="left", expand=False)
            columns = (
                (_("Name"), None),
                (_("Address"), [row.address for row in view.devices]),
                (_("Vendor"), None),
                (_("Kind"), [row.kind for row in view.devices]),
                (_("Notes"), None),
            )
            for header, width, cap in _inventory_widths(columns, console.width):
                inv.add_column(header, overflow="fold", min_width=width, max_width=cap)
            for row in view.devices:
                inv.add_row(row.name, row.address, row.vendor, row.kind, row.note)
            console.print(inv)
        for item in view.items:
            f = item.finding
            console.print()
            sym = f"{severity_symbol(f.severity)} " if options.symbols else ""
            head = Text(f"{sym}{severity_label(f.severity)}: ", style=style[f.severity])
            head.append(f.summary, style="bold" if options.color else "")
            console.print(head)
            g = item.guidance
            if g:
                console.print(Text(g.title, style="bold"))
                if options.verbosity != "brief":
                    console.print(Text(g.why))
                if item.steps:  # wrapped lines hang under the text, not at column 0
                    steps = Table.grid(padding=(0, 1))
                    steps.add_column(justify="right", no_wrap=True)
                    steps.add_column(overflow="fold")
                    for n, step in item.steps:
                        steps.add_row(f"  {n}.", Text(step))
                    console.print(steps)
                if g.call_support and options.verbosity != "brief":
                    # wrapped here, not by rich: textwrap breaks only at ASCII spaces,
                    # so the support phone (joined by no-break spaces) stays whole
                    lines = textwrap.wrap(g.call_support, width=console.width) or [""]
                    console.print(Text("\n".join(lines), style=style["muted"]))
                if g.advice_id:
                    console.print(
                        Text(_("Advice id: {id}").format(id=g.advice_id), style=style["muted"])
                    )
            for key, value in item.evidence:
                console.print(Text(f"    {key}: {value}", style=style["muted"]))
        if view.notes:
            console.print()
            for note in view.notes:
                console.print(Text(note, style=style["muted"]))
        console.print()
        if view.support_line:
            console.print(Text(view.support_line))
        if view.footer:
            console.print(Text(view.footer, style=style["muted"]))


#: a column kept at its longest word gives up this much before words fold
_LONGEST_KEPT = 20


def _inventory_widths(
    columns: tuple[tuple[str, list[str] | None], ...], terminal: int
) -> list[tuple[str, int | None, int | None]]:
    """(header, min width, max width) per column of the device table.

    Columns with cells to keep whole are held at their longest word; the
    others share what is left of the terminal (rich alone would squeeze the
    held columns too when the table does not fit).
    """
    held = {header: _longest_word(cells) for header, cells in columns}
    free = [header for header, width in held.items() if width is None]
    room = terminal - (3 * len(columns) + 1)  # borders and one space each side of a cell
    share = max(8, (room - sum(w or 0 for w in held.values())) // max(1, len(free)))
    return [(h, held[h], None if held[h] else share) for h, _cells in columns]


def _longest_word(cells: list[str] | None) -> int | None:
    """The width that keeps every word of *cells* whole (None: the column may fold).

    rich folds a word mid-way once a narrow terminal squeezes its column
    below the word ("Streaming-Ger|ät"); device kinds and addresses are short
    and read badly broken, so their columns keep their longest word and the
    free-text columns give up the room instead.
    """
    if not cells:
        return None
    longest = max((len(word) for cell in cells for word in cell.split()), default=0)
    return min(longest, _LONGEST_KEPT) or None
