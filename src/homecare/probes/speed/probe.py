"""The speed probe: engines in the provider's order, both directions, with
latency measured idle and under load.

An engine that cannot start or measures nothing hands over to the next one;
whatever worked (one direction, the latency under load) is kept and every
failure is listed in ``attempts`` so the report says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import ValidationError

from homecare.i18n import _
from homecare.models.connection import (
    Direction,
    EngineAttempt,
    LatencyData,
    LoadedLatency,
    SpeedData,
    SpeedDirection,
)
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.latency.probe import latency_targets, tcp_port_for
from homecare.probes.speed.engine import EngineError, MeasureBudget, SpeedEngine
from homecare.probes.speed.loaded import LoadedPingers, idle_baseline, worst_increase
from homecare.probes.speed.send_queues import wait_until_quiet
from homecare.profiles.provider import ProviderProfile

#: Seconds kept back for setup, the idle baseline and stopping cleanly.
_OVERHEAD_S = 3.0
#: At most this long for other connections' send queues to drain before the idle baseline.
QUIET_WAIT_S = 2.0


def build_engines(provider: ProviderProfile) -> list[SpeedEngine]:
    """Engines in the order the provider profile asks for."""
    from homecare.probes.speed.cloudflare import CloudflareEngine
    from homecare.probes.speed.librespeed import LibreSpeedEngine
    from homecare.probes.speed.ndt7 import Ndt7Engine
    from homecare.probes.speed.nq import NqEngine
    from homecare.probes.speed.speedtest_engine import SpeedtestEngine

    s = provider.speed
    engines: list[SpeedEngine] = []
    for name in s.engines:
        if name == "librespeed":
            engines.append(LibreSpeedEngine(s.librespeed_urls))
        elif name == "ndt7":
            engines.append(Ndt7Engine(s.ndt7_locate_url, s.ndt7_secure))
        elif name == "cloudflare":
            engines.append(CloudflareEngine(s.cloudflare_url))
        elif name == "nq":
            engines.append(NqEngine(s.nq_config_url, s.nq_interval_s))
        else:
            engines.append(SpeedtestEngine(s.speedtest_server_id, s.speedtest_secure))
    return engines


def internet_silent(ctx: ProbeContext) -> bool:
    """The latency probe sent to the internet and nothing came back: a speed
    test would only spend the budget on timeouts."""
    obs = ctx.results.get("latency")
    if obs is None or obs.data is None:
        return False
    raw = obs.data.model_dump(mode="json")
    values = raw.get("values", raw) if raw.get("kind") == "generic" else raw
    try:
        data = LatencyData.model_validate(values)
    except ValidationError:
        return False
    inet = [x for x in data.series if x.role == "internet" and x.stats.sent > 0]
    return bool(inet) and all(x.stats.received == 0 for x in inet)


class SpeedProbe:
    name = "speed"
    area = "speed"
    # after the latency probe, so its idle figures are not taken under our load
    requires: tuple[str, ...] = ("host", "latency")
    #: run beside it in a targeted check, so a dead router is not blamed elsewhere
    supporting: tuple[str, ...] = ("reachability",)
    timeout_s = 30.0

    def __init__(self, engines: Callable[[ProviderProfile], list[SpeedEngine]] = build_engines):
        self._engines = engines

    def run(self, ctx: ProbeContext) -> SpeedData:
        if internet_silent(ctx):
            raise ProbeSkipped(
                _("Nothing beyond the router answers, so there is no speed to measure.")
            )
        s = ctx.provider.speed
        per_direction = s.quick_duration_s if ctx.quick else s.duration_s
        targets = [(t, role, tcp_port_for(ctx, role)) for t, role in latency_targets(ctx)][:2]
        data = SpeedData(plan_down_mbit=s.plan_down_mbit, plan_up_mbit=s.plan_up_mbit)
        ctx.progress(_("Measuring idle latency"))
        # a previous test's queue still going out would pass for bufferbloat
        wait_until_quiet(min(ctx.deadline, time.monotonic() + QUIET_WAIT_S))
        idle = idle_baseline(targets, ctx.deadline) if targets else []
        idle_medians = {x.target: x.stats.median_ms for x in idle}
        data.latency = list(idle)
        used = 0
        for engine in self._engines(ctx.provider):
            if time.monotonic() + 2 * min(per_direction, 2.0) > ctx.deadline:
                data.attempts.append(
                    EngineAttempt(engine=engine.name, ok=False, error=_("No time left to try it."))
                )
                continue
            try:
                server = engine.prepare(min(ctx.deadline, time.monotonic() + 5.0))
            except EngineError as exc:
                data.attempts.append(EngineAttempt(engine=engine.name, ok=False, error=str(exc)))
                continue
            ctx.progress(
                _("Speed test with {engine}: {server}").format(engine=engine.name, server=server)
            )
            results: dict[Direction, SpeedDirection] = {}
            loaded: list[LoadedLatency] = []
            for direction in ("download", "upload"):
                d: Direction = direction
                left = ctx.deadline - time.monotonic() - 1.0
                if d == "download":
                    left -= min(per_direction, (left - 0.5) / 2)  # keep room for the upload
                deadline = time.monotonic() + max(0.5, min(per_direction + 1.5, left))
                pingers = LoadedPingers(targets, d, deadline).start()
                budget = MeasureBudget(
                    deadline=deadline,
                    max_duration_s=max(0.5, min(per_direction, left)),
                    warmup_s=s.warmup_s,
                    max_bytes=s.max_bytes,
                    streams=s.streams,
                    stable_samples=s.stable_samples,
                    stable_tolerance=s.stable_tolerance,
                    also_settled=pingers.settled,
                )
                results[d] = engine.measure(d, budget, ctx.progress)
                loaded += pingers.finish(idle_medians)
            used += sum(r.bytes for r in results.values())
            worked = [r for r in results.values() if r.mbit is not None]
            errors = "; ".join(r.error for r in results.values() if r.error)
            data.attempts.append(
                EngineAttempt(
                    engine=engine.name, server=server, ok=bool(worked), error=errors or None
                )
            )
            if not worked:
                continue
            data.engine, data.server = engine.name, server
            data.download, data.upload = results.get("download"), results.get("upload")
            data.latency += loaded
            data.bufferbloat_ms, data.bufferbloat_grade, data.rpm = worst_increase(loaded)
            break
        data.bytes_used = used
        return data
