"""The environment a command runs in, injectable for tests (as in httpie).

Holds the streams, the environment variables and the file locations, so no
code reads ``sys.stdout`` or ``os.environ`` behind the caller's back.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from typing import TextIO

from homecare.paths import Paths, resolve_paths


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    paths: Paths | None = None

    def __post_init__(self) -> None:
        if self.paths is None:
            self.paths = resolve_paths(self.environ)

    @property
    def home(self) -> Paths:
        assert self.paths is not None
        return self.paths

    @property
    def stdout_isatty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stdin_isatty(self) -> bool:
        return _isatty(self.stdin)

    @property
    def color_allowed(self) -> bool:
        """NO_COLOR (any value) wins; FORCE_COLOR forces; else only on a terminal."""
        if "NO_COLOR" in self.environ:
            return False
        if self.environ.get("FORCE_COLOR"):
            return True
        return self.stdout_isatty and self.environ.get("TERM") != "dumb"

    @property
    def width(self) -> int | None:
        cols = self.environ.get("COLUMNS")
        if cols and cols.isdigit():
            return int(cols)
        return shutil.get_terminal_size((100, 24)).columns if self.stdout_isatty else 100

    @property
    def interactive(self) -> bool:
        return self.stdin_isatty and self.stdout_isatty and not self.environ.get("CI")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
