"""Thin, checked wrappers around ``ip``/``nft``/``tc`` and ``setns(2)``.

Every command here names a namespace explicitly (``ip -n``, ``ip netns exec``):
the lab never configures the host's root namespace.  ``enter`` switches only
the calling *thread* (via ``setns``), which lets one helper process own
sockets in many device namespaces.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

NETNS_DIR = Path("/run/netns")
ETC_NETNS = Path("/etc/netns")
CLONE_NEWNET = 0x40000000


class LabCommandError(RuntimeError):
    """A lab setup command failed."""


def run(argv: Sequence[str], *, stdin: str | None = None, check: bool = True) -> str:
    """Run a setup command and return its stdout (raising with stderr on failure)."""
    proc = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, check=False, timeout=60
    )
    if check and proc.returncode != 0:
        raise LabCommandError(
            f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}"
            + (f"\ninput:\n{stdin}" if stdin and len(stdin) < 4000 else "")
        )
    return proc.stdout


def ip_batch(commands: Sequence[str], namespace: str | None = None) -> None:
    """Run many ``ip`` commands in one process (``ip -batch``), optionally in a namespace."""
    if not commands:
        return
    argv = ["ip", *(["-n", namespace] if namespace else []), "-batch", "-"]
    run(argv, stdin="\n".join(commands) + "\n")


def in_ns(namespace: str, argv: Sequence[str]) -> list[str]:
    """The argv running ``argv`` inside ``namespace``."""
    return ["ip", "netns", "exec", namespace, *argv]


def ns_run(namespace: str, argv: Sequence[str], *, stdin: str | None = None) -> str:
    return run(in_ns(namespace, argv), stdin=stdin)


def nft(namespace: str, ruleset: str) -> None:
    """Load an nftables ruleset (script text) inside ``namespace``."""
    ns_run(namespace, ["nft", "-f", "-"], stdin=ruleset)


def sysctl(namespace: str, **values: str) -> None:
    args = [f"{k.replace('__', '.')}={v}" for k, v in values.items()]
    ns_run(namespace, ["sysctl", "-q", "-w", *args])


def list_namespaces() -> list[str]:
    """Names of all named network namespaces (``ip netns list``)."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir())


def namespace_pids(namespace: str) -> list[int]:
    out = run(["ip", "netns", "pids", namespace], check=False)
    return [int(x) for x in out.split() if x.isdigit()]


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextmanager
def enter(namespace: str) -> Iterator[None]:
    """Move the calling thread into ``namespace`` for the block, then back.

    Sockets created inside the block stay in that namespace for their lifetime.
    """
    here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    there = os.open(NETNS_DIR / namespace, os.O_RDONLY)
    try:
        _setns(there)
        try:
            yield
        finally:
            _setns(here)
    finally:
        os.close(there)
        os.close(here)
