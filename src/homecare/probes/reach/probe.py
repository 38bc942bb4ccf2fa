"""The reachability probe: gateway and internet, timed, without needing root."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from homecare.i18n import _
from homecare.models import HostData, PingResult, ReachabilityData
from homecare.probes.base import ProbeContext
from homecare.probes.reach.icmp import EchoSeries, icmp_series, tcp_series

Role = Literal["gateway", "internet"]


class ReachabilityProbe:
    name = "reachability"
    area = "connectivity"
    requires: tuple[str, ...] = ("host",)
    timeout_s = 12.0

    def run(self, ctx: ProbeContext) -> ReachabilityData:
        host = ctx.results.get("host")
        host_data = host.data if host and isinstance(host.data, HostData) else None
        targets: list[tuple[str, Role]] = []
        if host_data:
            for route in host_data.default_routes:
                if route.family == "ipv4":
                    targets.append((route.gateway, "gateway"))
                    break
        targets += [(t, "internet") for t in ctx.provider.targets.internet_hosts]
        th = ctx.provider.thresholds
        count = max(1, th.ping_count // 2) if ctx.quick else th.ping_count
        with ThreadPoolExecutor(max_workers=len(targets) or 1) as pool:
            futures = [pool.submit(self._measure, ctx, t, role, count) for t, role in targets]
            pings = [f.result() for f in futures]
        note = None
        if any(p.method == "tcp-connect" for p in pings):
            note = _(
                "ICMP was not allowed for this user, so TCP connection times were measured instead."
            )
        elif any(p.method == "icmp-dgram" for p in pings):
            note = _("Unprivileged ICMP sockets were used.")
        return ReachabilityData(pings=pings, method_note=note)

    def _measure(self, ctx: ProbeContext, target: str, role: Role, count: int) -> PingResult:
        th = ctx.provider.thresholds
        interval = 0.1 if ctx.quick else 0.2
        series: EchoSeries | None = icmp_series(
            target, count, th.ping_timeout_s, interval, ctx.deadline
        )
        if series is None:
            port = ctx.provider.targets.tcp_port if role == "internet" else 80
            series = tcp_series(target, port, count, th.ping_timeout_s, interval, ctx.deadline)
        return PingResult(
            target=target,
            role=role,
            method=series.method,  # type: ignore[arg-type]
            sent=series.sent,
            received=series.received,
            rtts_ms=series.rtts_ms,
            error=series.error if series.received == 0 else None,
        )
