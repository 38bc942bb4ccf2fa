"""Markdown report, for pasting into a ticket or an e-mail to support."""

from __future__ import annotations

from typing import TextIO

from homecare.i18n import _
from homecare.models import Report
from homecare.render.base import RenderOptions
from homecare.render.sanitize import clean_block, clean_text, clean_view, for_markdown_cell
from homecare.render.view import build_view, severity_label


class MarkdownRenderer:
    name = "markdown"

    def render(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        view = clean_view(build_view(report, options))
        parts = [
            f"# {_('homecare check')} {clean_text(report.id[:8])}",
            "",
            f"**{view.headline}**",
            "",
        ]
        if view.facts:
            parts += [f"| {_('What')} | {_('Result')} |", "|---|---|"]
            parts += [
                f"| {for_markdown_cell(label)} | {for_markdown_cell(value)} |"
                for label, value in view.facts
            ]
            parts.append("")
        if view.devices:
            parts += [f"## {view.devices_title}", ""]
            parts += [
                f"| {_('Name')} | {_('Address')} | {_('Vendor')} | {_('Kind')} | {_('Notes')} |",
                "|---|---|---|---|---|",
            ]
            parts += [
                "| "
                + " | ".join(
                    for_markdown_cell(c) for c in (r.name, r.address, r.vendor, r.kind, r.note)
                )
                + " |"
                for r in view.devices
            ]
            parts.append("")
        for item in view.items:
            f = item.finding
            parts.append(f"## {severity_label(f.severity)}: {f.summary}")
            parts.append(f"`{f.code}`")
            if item.guidance:
                parts += ["", item.guidance.why, ""]
                parts += [f"{n}. {s}" for n, s in item.steps]
            if item.evidence:
                parts.append("")
                parts += [f"- {k}: {v}" for k, v in item.evidence]
            parts.append("")
        parts += [f"- {n}" for n in view.notes]
        parts += ["", view.support_line] if view.support_line else []
        out.write(clean_block("\n".join(parts)).rstrip() + "\n")
