"""What the lab's private, throwaway servers share (:mod:`.pgtemp`,
:mod:`.redistemp`): a temporary folder they live in, a ``with`` block that
always stops them and deletes the folder (also when starting failed half-way:
an ``initdb`` done, the server refusing to start), and a start that ends on a
condition: the server answers, or it died, and then the error says why with
the end of its log.
"""

from __future__ import annotations

import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

#: how much of a server's log a failure quotes
LOG_TAIL_CHARS = 500


class PrivateDaemon(ABC):
    """A server in its own folder ``root``, log in ``root / "log"``; ``with``
    starts it and always stops it."""

    root: Path

    @abstractmethod
    def start(self) -> Self:
        """Start the server; return once it answers."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the server (if it runs) and delete ``root``; safe to call twice."""

    def log_tail(self) -> str:
        log = self.root / "log"
        return log.read_text(errors="replace")[-LOG_TAIL_CHARS:] if log.exists() else "(no log)"

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def wait_until_answers(
    proc: subprocess.Popen[bytes],
    answers: Callable[[], bool],
    *,
    what: str,
    log_tail: Callable[[], str],
    timeout: float,
    poll_s: float = 0.02,
) -> None:
    """Return once *answers* is true; raise as soon as *proc* has exited
    (``RuntimeError`` with its status and log), or after *timeout* seconds
    (``TimeoutError``, a sanity limit, not a tuned delay)."""
    deadline = time.monotonic() + timeout
    while not answers():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}): {log_tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not answer within {timeout:g} s: {log_tail()}")
        time.sleep(poll_s)


def run_step(argv: list[str], *, what: str, cwd: Path, log_tail: Callable[[], str]) -> None:
    """Run one set-up command (``initdb``, ``pg_ctl start``); when it fails,
    ``RuntimeError`` naming *what* with the command's own error and the log."""
    done = subprocess.run(argv, capture_output=True, cwd=cwd, check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode(errors="replace").strip()[-LOG_TAIL_CHARS:]
        raise RuntimeError(f"{what} failed ({done.returncode}): {said}; log: {log_tail()}")
