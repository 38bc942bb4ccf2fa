"""The one place Wi-Fi tools are executed.

Everything else receives a :data:`Runner`, so tests can swap in fakes and the
real path stays small: no shell, a hard timeout, the C locale for tools that
honour it (iw, nmcli) so labels are the English ones the parsers expect, and
undecodable bytes replaced instead of raising.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandResult:
    """What a command printed; ``error`` says why it gave nothing usable."""

    stdout: str
    returncode: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.returncode == 0


Runner = Callable[[Sequence[str], float], CommandResult]


def _encoding_for(program: str) -> str:
    # netsh writes in the console's OEM code page, which Python names "oem".
    if sys.platform == "win32" and program.lower().startswith("netsh"):
        return "oem"
    return "utf-8"


def run_command(argv: Sequence[str], timeout_s: float) -> CommandResult:
    """Run *argv* (never through a shell) and capture its output."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            timeout=max(0.1, timeout_s),
            text=True,
            encoding=_encoding_for(argv[0]),
            errors="replace",
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return CommandResult("", None, f"timed out after {timeout_s:.1f}s")
    except (OSError, ValueError) as exc:
        return CommandResult("", None, str(exc) or type(exc).__name__)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()
        reason = detail[0][:200] if detail else ""
        return CommandResult(
            proc.stdout or "", proc.returncode, f"exit {proc.returncode} {reason}".strip()
        )
    return CommandResult(proc.stdout or "", 0)
