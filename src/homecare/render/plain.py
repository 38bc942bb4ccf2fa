"""``--plain``: for screen readers and logs. No tables, colour or symbols."""

from __future__ import annotations

from typing import TextIO

from homecare.i18n import _
from homecare.models import Report
from homecare.render.base import RenderOptions
from homecare.render.sanitize import clean_block, clean_view
from homecare.render.view import build_view, severity_label


class PlainRenderer:
    name = "plain"

    def render(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        view = clean_view(build_view(report, options))
        lines = [view.headline, ""]
        for label, value in view.facts:
            lines.append(f"{label}: {value}")
        if view.facts:
            lines.append("")
        if view.devices:
            lines.append(view.devices_title)
            for row in view.devices:
                extra = f" ({row.note})" if row.note else ""
                lines.append(f"  {row.name}: {row.address}, {row.vendor}, {row.kind}{extra}")
            lines.append("")
        for item in view.items:
            f = item.finding
            lines.append(f"{severity_label(f.severity)}: {f.summary}")
            if item.guidance:
                lines.append(item.guidance.why)
                for n, step in item.steps:
                    lines.append(_("Step {n}: {text}").format(n=n, text=step))
                if item.guidance.call_support:
                    lines.append(item.guidance.call_support)
                if item.guidance.advice_id:
                    lines.append(_("Advice id: {id}").format(id=item.guidance.advice_id))
            for key, value in item.evidence:
                lines.append(f"  {key}: {value}")
            lines.append("")
        for note in view.notes:
            lines.append(note)
        if view.support_line:
            lines.append(view.support_line)
        if view.footer:
            lines.append(view.footer)
        out.write(clean_block("\n".join(lines)).rstrip() + "\n")
