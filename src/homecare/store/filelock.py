"""A non-blocking exclusive lock on an open file, on every platform the README lists.

``fcntl`` exists only on POSIX; importing it at module level made a saved
check exit 70 on Windows. Here the platform's own primitive is chosen when
the lock is taken: ``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` on
Windows (which locks a byte range: the first byte is enough for a lock file).
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from typing import IO, Any


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@contextlib.contextmanager
def exclusive(fh: IO[Any], *, platform_name: str | None = None) -> Iterator[bool]:
    """Hold an exclusive lock on *fh* for the block; yields False when another has it.

    *platform_name* (``os.name``: "posix" or "nt") is for tests that simulate
    the other platform.
    """
    kind = platform_name or os.name
    if kind == "nt":
        msvcrt = _module("msvcrt")
        if msvcrt is None:
            raise RuntimeError("msvcrt is not available on this platform")
        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl = _module("fcntl")
    if fcntl is None:
        raise RuntimeError("fcntl is not available on this platform")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        yield False
        return
    try:
        yield True
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
