"""A plugin shipped beside the core: is this computer itself too busy?

A computer with its processor or memory exhausted makes "the internet" feel
slow while the network is fine; saying so saves a call to support. It uses the
same hooks as the built-ins, so it doubles as the worked example in
docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import psutil
from pydantic import BaseModel

from homecare.api import (
    Finding,
    GenericData,
    Probe,
    ProbeContext,
    Rule,
    RuleContext,
    Segment,
    Severity,
    _,
    hookimpl,
)

CPU_BUSY_PCT = 95.0
MEMORY_LOW_PCT = 5.0


class HostLoad(BaseModel):
    cpu_percent: float  # used by other programs than homecare
    memory_available_percent: float
    process_count: int


class HostLoadProbe:
    name = "host_load"
    area = "device"
    requires: tuple[str, ...] = ()
    timeout_s = 3.0

    def run(self, ctx: ProbeContext) -> HostLoad:
        interval = 0.3 if ctx.quick else 1.0
        me = psutil.Process()
        me.cpu_percent(None)
        total = psutil.cpu_percent(interval=min(interval, max(0.1, ctx.remaining() - 0.2)))
        # homecare's own work (a speed test at full rate) must not count
        # against the computer: only what other programs use matters here.
        own = me.cpu_percent(None) / (psutil.cpu_count() or 1)
        mem = psutil.virtual_memory()
        return HostLoad(
            cpu_percent=round(max(0.0, total - own), 1),
            memory_available_percent=round(mem.available * 100 / mem.total, 1),
            process_count=len(psutil.pids()),
        )


class HostLoadRule:
    name = "host_load"
    codes = ("device.busy",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        obs = ctx.observations.get("host_load")
        if obs is None or not isinstance(obs.data, GenericData):
            return []
        load = HostLoad.model_validate(obs.data.values)
        if load.cpu_percent < CPU_BUSY_PCT and load.memory_available_percent > MEMORY_LOW_PCT:
            return []
        return [
            Finding(
                code="device.busy",
                severity=Severity.WARNING,
                segment=Segment.DEVICE,
                summary=_("This computer is very busy, which can make the internet feel slow."),
                evidence=load.model_dump(),
            )
        ]


@hookimpl
def homecare_probes() -> list[Probe]:
    return [HostLoadProbe()]


@hookimpl
def homecare_rules() -> list[Rule]:
    return [HostLoadRule()]
