"""The console report as a person sees it: captured through a pseudo-terminal
at 80 and 120 columns in English, Spanish and German, against committed
snapshots (tests/render/snapshots/, read by a person before committing).

The report is fixed (tests/render/snapshot_report.py: the real rules, verdict
and catalogue over hand-made observations), saved to a throwaway history and
shown by the real CLI (``homecare history show``) on a pty whose window size
is set, so wrapping, the headline box and the tables are what a terminal of
that width shows. ``HOMECARE_UPDATE_SNAPSHOTS=1`` rewrites the files.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from homecare.i18n import activate
from homecare.render.base import RenderOptions
from homecare.render.view import build_view
from homecare.store.history import History

from .snapshot_report import fixed_report

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("HOMECARE_UPDATE_SNAPSHOTS") == "1"


def through_pty(argv: list[str], env: dict[str, str], columns: int) -> str:
    """Run *argv* with a pty of *columns* x 50 as its terminal; its output, newlines normalised."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(
        argv, stdin=terminal, stdout=terminal, stderr=subprocess.PIPE, env=env, close_fds=True
    )
    os.close(terminal)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("language", ["en", "es", "de"])
@pytest.mark.parametrize("kind", ["fault", "tip"])
def test_console_snapshot(tmp_path: Path, kind: str, language: str, columns: int) -> None:
    report = fixed_report(kind, language)
    home = tmp_path / "home"
    with History.open(home / "data" / "history.sqlite3") as history:
        history.save(report)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "FORCE_COLOR", "HOMECARE_PROVIDER", "CI")
    }
    env.update(
        HOMECARE_HOME=str(home), HOMECARE_LANG=language, NO_COLOR="1", TERM="xterm-256color",
        LANG="C.UTF-8", PYTHONIOENCODING="utf-8",
    )  # fmt: skip
    out = through_pty(
        [sys.executable, "-m", "homecare", "history", "show", report.id[:8]], env, columns
    )
    assert max(len(line) for line in out.splitlines()) <= columns
    for line in out.splitlines():  # nothing cropped: a box or table row is closed
        if line and line[0] in "╭│┏┃┡└╰":
            assert line.rstrip()[-1] in "╮│┓┃┩┘╯", line
    activate(language)
    try:
        kinds = {row.kind for row in build_view(report, RenderOptions()).devices}
    finally:
        activate("en")
    assert kinds or kind == "tip"  # the tip report lists no devices
    for device_kind in kinds:  # a device kind is never broken mid-word
        for word in device_kind.split():
            assert word in out, f"{word!r} was folded at {columns} columns"
    path = SNAPSHOTS / f"{kind}-{language}-{columns}.txt"
    if UPDATE or not path.exists():
        path.write_text(out, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path.name} was missing and has been written: read it, then commit it")
    assert out == path.read_text(encoding="utf-8"), f"{path.name} differs (see the diff)"
