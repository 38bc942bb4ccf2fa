"""Fake Wi-Fi tools: tiny shell scripts on a private PATH that replay recordings.

They let the collector's real ``subprocess`` path run end-to-end (argument
lists, exit codes, timeouts) without touching any radio.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from wifi_fixtures import FIXTURES

HANG = "__hang__"
FAIL = "__fail__"


def install_tool(bin_dir: Path, name: str, replies: dict[str, str]) -> Path:
    """Write ``bin_dir/name`` answering each exact argument string.

    A reply is a fixture path (relative to ``fixtures/``), :data:`HANG` to
    sleep far past any timeout, or :data:`FAIL` to exit 1 with an error.
    Unknown arguments exit 2, like a tool refusing an unknown command.
    """
    lines = ["#!/bin/sh", 'case "$*" in']
    for args, reply in replies.items():
        if reply == HANG:
            action = "exec /bin/sleep 30"
        elif reply == FAIL:
            action = "echo 'command failed: Operation not permitted (-1)' >&2; exit 1"
        else:
            action = f"exec /bin/cat {shlex.quote(str(FIXTURES / reply))}"
        lines.append(f"  {shlex.quote(args)}) {action} ;;")
    lines.append('  *) echo "unexpected arguments: $*" >&2; exit 2 ;;')
    lines.append("esac")
    path = bin_dir / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path
