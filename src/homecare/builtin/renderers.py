"""Built-in output formats."""

from __future__ import annotations

from homecare.hookspecs import hookimpl
from homecare.render.base import Renderer
from homecare.render.console import ConsoleRenderer
from homecare.render.json_out import JsonRenderer
from homecare.render.markdown import MarkdownRenderer
from homecare.render.plain import PlainRenderer


@hookimpl
def homecare_renderers() -> list[Renderer]:
    return [ConsoleRenderer(), PlainRenderer(), JsonRenderer(), MarkdownRenderer()]
