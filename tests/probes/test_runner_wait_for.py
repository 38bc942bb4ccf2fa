"""ProbeContext.wait_for / peers / settings: a probe can watch another one run."""

from __future__ import annotations

import time

from pydantic import BaseModel

from homecare.models import GenericData, ProbeStatus
from homecare.probes.base import ProbeContext
from homecare.probes.runner import run_probes
from homecare.profiles.provider import ProviderProfile


class Slow:
    name, area, timeout_s = "slow", "slow", 5.0
    requires: tuple[str, ...] = ()

    def run(self, ctx: ProbeContext) -> BaseModel:
        time.sleep(0.5)
        return GenericData(values={"done": True})


class Watcher:
    name, area, timeout_s = "watcher", "watcher", 5.0
    requires: tuple[str, ...] = ()

    def run(self, ctx: ProbeContext) -> BaseModel:
        started = time.monotonic()
        missing = ctx.wait_for("nosuch", 2.0)  # not in this run: no wait at all
        quick = time.monotonic() - started
        seen = None
        polls = 0
        while seen is None and ctx.remaining() > 0:
            seen = ctx.wait_for("slow", 0.1)
            polls += 1
        return GenericData(
            values={
                "missing": missing is None,
                "quick": quick < 0.05,
                "slow_status": seen.status.value if seen else None,
                "polls": polls,
                "peers": sorted(ctx.peers),
                "setting": ctx.settings.get("k"),
            }
        )


def test_a_probe_waits_for_another_without_requiring_it() -> None:
    observations = run_probes(
        [Slow(), Watcher()], provider=ProviderProfile(), budget_s=5, settings={"k": "v"}
    )
    watcher = next(o for o in observations if o.probe == "watcher")
    assert watcher.status == ProbeStatus.OK
    assert isinstance(watcher.data, GenericData)
    values = watcher.data.values
    assert values["missing"] and values["quick"]
    assert values["slow_status"] == "ok" and values["polls"] > 1  # it ran while slow ran
    assert values["peers"] == ["slow"] and values["setting"] == "v"
