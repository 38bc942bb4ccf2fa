"""The latency probe: enough paced echoes to the gateway and beyond for a
meaningful loss figure, summarised into percentiles and jitter.

A loss figure is only as good as its probe count: 100 probes cannot tell 1 %
from 3 %. So the series fills a window of the check (:data:`WINDOW_S`) at the
configured spacing rather than sending a short burst, which gives several
hundred probes in a full check and spreads them over seconds, where bursts
of loss on a real line would otherwise hit all or none of them.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

from homecare.i18n import _
from homecare.models import HostData
from homecare.models.connection import LatencyData, LatencySeries, Role
from homecare.probes.base import ProbeContext
from homecare.probes.latency.echo import paced_series
from homecare.probes.latency.stats import summarize


def latency_targets(ctx: ProbeContext) -> list[tuple[str, Role]]:
    """The IPv4 gateway (from the host probe) and the provider's internet hosts."""
    targets: list[tuple[str, Role]] = []
    host = ctx.results.get("host")
    if host is not None and isinstance(host.data, HostData):
        gw = next((r.gateway for r in host.data.default_routes if r.family == "ipv4"), None)
        if gw:
            targets.append((gw, "gateway"))
    targets += [(t, "internet") for t in ctx.provider.targets.internet_hosts]
    return targets


def tcp_port_for(ctx: ProbeContext, role: Role) -> int:
    return ctx.provider.targets.tcp_port if role == "internet" else 80


#: seconds of the check the series spreads over (full, quick)
WINDOW_S = (7.0, 2.5)


def probe_count(
    configured: int, interval_s: float, window_s: float, room_s: float, explicit: bool = False
) -> int:
    """Probes per target: by default as many as fill the window (at least the
    default count); a count the provider set explicitly is kept. Never more
    than fit in the time left (*room_s*)."""
    wanted = configured if explicit else max(configured, math.floor(window_s / interval_s))
    return max(1, min(wanted, math.floor(room_s / interval_s)))


class LatencyProbe:
    name = "latency"
    area = "latency"
    requires: tuple[str, ...] = ("host",)
    #: a loss or delay to the router or beyond is only placed with reachability
    supporting: tuple[str, ...] = ("reachability",)
    timeout_s = 10.0

    def run(self, ctx: ProbeContext) -> LatencyData:
        q = ctx.provider.quality
        configured = q.latency_quick_count if ctx.quick else q.latency_count
        interval = q.latency_interval_ms / 1000
        timeout = min(1.0, ctx.provider.thresholds.ping_timeout_s)
        # the count ends the series; the deadline only guards the budget, leaving
        # room for the last replies (a busy host may send late, never fewer)
        deadline = ctx.deadline - timeout - 0.1
        room = deadline - time.monotonic()
        field = "latency_quick_count" if ctx.quick else "latency_count"
        count = probe_count(
            configured, interval, WINDOW_S[1 if ctx.quick else 0], room,
            explicit=field in q.model_fields_set,
        )  # fmt: skip
        targets = latency_targets(ctx)
        ctx.progress(
            _("Measuring latency and loss ({count} probes per target)").format(count=count)
        )

        def one(item: tuple[str, Role]) -> LatencySeries:
            target, role = item
            raw = paced_series(
                target, tcp_port_for(ctx, role), interval_s=interval, timeout_s=timeout,
                deadline=deadline, count=count,
            )  # fmt: skip
            return LatencySeries(
                target=target,
                role=role,
                method=raw.method,
                stats=summarize(raw.rtts_ms, raw.sent),
                error=raw.error if not raw.rtts_ms else None,
            )

        with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
            series = list(pool.map(one, targets))
        note = None
        if any(s.method == "tcp-connect" for s in series):
            note = _("ICMP was not allowed for this user, so TCP connection times were measured.")
        return LatencyData(series=series, interval_ms=q.latency_interval_ms, method_note=note)
