"""One source's view of the router, before the probe merges the sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from homecare.models.router import LineInfo, RouterClient, RouterRadio, RouterSource, WanCounters

#: reads the WAN (received, sent) byte counters once
CounterReader = Callable[[], tuple[int, int]]


@dataclass
class Reading:
    """What one source gave; any part may be missing (and ``errors`` says why)."""

    source: RouterSource
    vendor: str | None = None
    model: str | None = None
    firmware: str | None = None
    uptime_s: int | None = None
    wan_status: str | None = None
    wan_uptime_s: int | None = None
    last_error: str | None = None
    external_ip: str | None = None
    line: LineInfo | None = None
    counters: WanCounters | None = None
    clients: list[RouterClient] = field(default_factory=list)
    radios: list[RouterRadio] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    auth_refused: bool = False
    #: how to read the WAN byte counters again, for the load samples
    sample: CounterReader | None = None
    counter_bits: int = 64
