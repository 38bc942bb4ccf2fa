"""``--json``: the report exactly as the published schema describes it."""

from __future__ import annotations

from typing import TextIO

from homecare.models import Report
from homecare.render.base import RenderOptions


class JsonRenderer:
    name = "json"

    def render(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        out.write(report.model_dump_json(indent=2))
        out.write("\n")
