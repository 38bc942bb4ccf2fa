"""What a renderer is and how it is told to present things."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, TextIO, runtime_checkable

from homecare.models import Report
from homecare.vocabulary import Skill, Verbosity

Theme = Literal["default", "high-contrast", "monochrome"]
Units = Literal["mbit", "mbyte"]


@dataclass(frozen=True)
class RenderOptions:
    """How to present a report; built once from profile, flags and terminal."""

    color: bool = True
    width: int | None = None
    verbosity: Verbosity = "normal"
    skill: Skill = "intermediate"
    theme: Theme = "default"
    symbols: bool = True
    units: Units = "mbit"
    show_evidence: bool = True
    show_commands: bool = False
    #: the real support code, when this check was just shared (else the advice
    #: says how to get one)
    support_code: str | None = None
    #: whether the check is in the history (``--no-save``: nothing may say it is)
    saved: bool = True


@runtime_checkable
class Renderer(Protocol):
    name: str

    def render(self, report: Report, options: RenderOptions, out: TextIO) -> None: ...
