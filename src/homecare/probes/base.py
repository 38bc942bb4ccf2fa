"""What a probe is and what it is given.

A probe observes one thing and returns a typed payload; it never prints and
never decides what is wrong. The runner wraps whatever it returns or raises in
an :class:`~homecare.models.Observation`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from homecare.models import Observation
from homecare.profiles.provider import ProviderProfile


class ProbeSkipped(Exception):
    """Raised by a probe that has nothing to do here (e.g. no Wi-Fi adapter)."""


@dataclass(frozen=True)
class ProbeContext:
    """Everything a probe may use; no globals.

    ``results`` holds the observations of the probes named in ``requires``
    (and any other that already finished), so a probe can build on them.
    """

    deadline: float
    quick: bool
    provider: ProviderProfile
    privileged: bool
    results: Mapping[str, Observation] = field(default_factory=dict)
    progress: Callable[[str], None] = field(default=lambda _msg: None)
    #: per-run settings a caller passes to probes by key (e.g. how to reach the router)
    settings: Mapping[str, object] = field(default_factory=dict)
    #: names of the other probes in this run
    peers: frozenset[str] = frozenset()
    #: wait up to N seconds for another probe of this run to finish, without
    #: requiring it first (the router probe samples the WAN *during* the speed test)
    wait_for: Callable[[str, float], Observation | None] = field(default=lambda _n, _t: None)

    #: the run's clock (``time.monotonic``; a test passes one it controls)
    clock: Callable[[], float] = field(default=time.monotonic)

    def remaining(self) -> float:
        """Seconds left before the run's overall budget is spent."""
        return max(0.0, self.deadline - self.clock())


@runtime_checkable
class Probe(Protocol):
    """A single observer. ``name`` is unique; ``area`` is what a user asks for
    (``homecare check dns``)."""

    name: str
    area: str
    requires: tuple[str, ...]
    timeout_s: float

    def run(self, ctx: ProbeContext) -> BaseModel: ...
