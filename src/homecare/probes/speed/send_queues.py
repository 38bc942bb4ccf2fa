"""Is this host still sending a previous test? (issue 12: never measure idle
latency while a send queue is full).

The engines abort their own sockets, but a test run by another process (an
earlier check killed mid-test, another speed-test tool) can leave
megabytes queued; the kernel keeps sending an orphaned socket's queue after
the process is gone. The idle baseline waits, for a bounded time, until the
TCP send queues of this network namespace (``/proc/net/tcp*``, any process)
are nearly empty, and says how much was still queued if they never were.
"""

from __future__ import annotations

import time
from pathlib import Path

#: Below this many queued bytes a line is idle enough for latency (a few
#: interactive connections always hold a little).
QUIET_BYTES = 64 * 1024
#: TCP states whose queue still goes out: established, FIN-WAIT-1, CLOSE-WAIT,
#: LAST-ACK, CLOSING (``include/net/tcp_states.h``).
_SENDING_STATES = {"01", "04", "08", "09", "0B"}
_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def queued_bytes(tables: tuple[Path, ...] = _TABLES) -> int | None:
    """Bytes waiting in every TCP send queue of this namespace; None where unknown."""
    total, seen = 0, False
    for table in tables:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        seen = True
        for line in lines:
            cols = line.split()
            if len(cols) > 4 and cols[3] in _SENDING_STATES:
                tx_queue, _sep, _rx = cols[4].partition(":")
                try:
                    total += int(tx_queue, 16)
                except ValueError:
                    continue
    return total if seen else None


def wait_until_quiet(deadline: float, limit: int = QUIET_BYTES) -> int:
    """Wait (until *deadline*) for the send queues to drain below *limit*;
    returns what was still queued at the end (0 when unknown)."""
    while True:
        queued = queued_bytes() or 0
        if queued < limit or time.monotonic() >= deadline:
            return queued
        time.sleep(0.05)
