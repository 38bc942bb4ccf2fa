"""Parallel HTTP streams that load one direction and count what really arrived.

Shared by every HTTP engine (LibreSpeed, speedtest.net): an engine only says
which URL each request goes to (``StreamPlan``). Downloads count body bytes
received; uploads count bytes the server acknowledged (``TCP_INFO``), so what
still waits in the send queue when the window closes is never counted.

The streams run on non-blocking sockets, a few selector loops (one per core)
sharing them (``stream_loop.py``: why not a thread per stream, and how
requests are sent ahead so no stream waits a round trip between them); the
meter samples their counters from the caller's thread and says when to stop.

When the meter stops, every socket is aborted (``SO_LINGER`` 0, reset): the
kernel drops whatever is still queued, so a finished test leaves nothing on
the line for the next measurement (issue 12: the next check's idle latency
measured the previous upload's queue).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, Meter, spread_of
from homecare.probes.speed.http_streams import Endpoint
from homecare.probes.speed.names import NAME_TIMEOUT_S
from homecare.probes.speed.stream_loop import IO_TIMEOUT_S, MAX_LOOPS, Run, StreamPlan

__all__ = ["IO_TIMEOUT_S", "StreamPlan", "run_streams"]


def run_streams(
    direction: Direction,
    plan: StreamPlan,
    budget: MeasureBudget,
    progress: Callable[[str], None],
) -> SpeedDirection:
    """Load *direction* with ``budget.streams`` streams until the meter stops."""
    upload = direction == "upload"
    run = Run(plan, budget.streams, upload)
    server = Endpoint.parse(plan.upload_url() if upload else plan.download_url())
    try:  # once, before any stream: a name that does not resolve is one sentence
        run.address(server, min(NAME_TIMEOUT_S, max(0.1, budget.deadline - time.monotonic())))
    except EngineError as exc:
        return SpeedDirection(
            direction=direction, streams=budget.streams, counted="acked" if upload else "received",
            error=str(exc),
        )  # fmt: skip
    workers = [
        threading.Thread(target=each.run, daemon=True, name=f"http-{direction}-{i}")
        for i, each in enumerate(run.loops(min(MAX_LOOPS, os.cpu_count() or 1)))
    ]
    for w in workers:
        w.start()
    label = _("Download") if direction == "download" else _("Upload")
    result = Meter(budget, run.total, progress, label).run(run.stop)
    run.stop.set()
    for w in workers:
        w.join(timeout=max(0.2, min(2.0, budget.deadline + 1.0 - time.monotonic())))
    if result.mbit is None and not run.errors:
        run.fail(_("The speed test server {server} sent no data.").format(server=server.label))
    low, high = spread_of(result.samples_mbit)
    return SpeedDirection(
        direction=direction,
        mbit=result.mbit,
        bytes=run.moved(),
        duration_s=result.duration_s,
        streams=budget.streams,
        settled=result.settled,
        samples_mbit=result.samples_mbit,
        low_mbit=low,
        high_mbit=high,
        counted="acked" if upload else "received",
        min_rtt_ms=round(run.min_rtt_us / 1000, 3) if run.min_rtt_us else None,
        retransmitted=round(run.retrans / run.sent_on_wire, 5) if run.sent_on_wire else None,
        error="; ".join(run.errors[:2]) if run.errors else None,
    )
