"""One finished check reduced to a monitor sample.

The monitor never measures on its own: every sample is a ``run_check``
report, and this module only reads the typed payloads the probes already
produced (reachability, DNS, latency, speed) and the verdict's segment.
"""

from __future__ import annotations

from statistics import median

from homecare.models import DnsData, ReachabilityData, Report, answer_times
from homecare.models.connection import LatencyData, SpeedData
from homecare.store.samples import Sample


def sample_from_report(
    report: Report,
    kind: str,
    ts: float,
    *,
    monitor: str = "local",
    gap_before: bool = False,
    settling: bool = False,
    plan_down_mbit: float | None = None,
    plan_up_mbit: float | None = None,
) -> Sample:
    """The figures of *report* as a :class:`Sample` taken at wall time *ts*."""
    router_ok = internet_ok = dns_ok = None
    loss = rtt = dns_ms = None
    reach = report.data_of(ReachabilityData)
    if reach is not None:
        gateway = [p for p in reach.pings if p.role == "gateway"]
        internet = [p for p in reach.pings if p.role == "internet"]
        if gateway:
            router_ok = any(p.reachable for p in gateway)
        if internet:
            internet_ok = any(p.reachable for p in internet)
            sent = sum(p.sent for p in internet)
            loss = 1.0 - sum(p.received for p in internet) / sent if sent else None
            rtts = [r for p in internet for r in p.rtts_ms]
            rtt = median(rtts) if rtts else None
    latency = report.data_of(LatencyData)
    if latency is not None:
        beyond = [s for s in latency.series if s.role == "internet" and s.stats.sent]
        if beyond:  # the longer latency series is the better loss estimate
            loss = max(s.stats.loss for s in beyond)
            medians = [s.stats.median_ms for s in beyond if s.stats.median_ms is not None]
            rtt = median(medians) if medians else rtt
    dns = report.data_of(DnsData)
    if dns is not None and dns.lookups:
        dns_ok = any(lookup.ok for lookup in dns.lookups)
        times = answer_times(dns.lookups)
        dns_ms = median(times) if times else None
    down = up = None
    speed = report.data_of(SpeedData)
    if speed is not None:
        down = speed.download.mbit if speed.download else None
        up = speed.upload.mbit if speed.upload else None
        plan_down_mbit = speed.plan_down_mbit or plan_down_mbit
        plan_up_mbit = speed.plan_up_mbit or plan_up_mbit
    segment = report.verdict.segment
    return Sample(
        ts=ts,
        kind=kind,
        monitor=monitor,
        gap_before=gap_before,
        settling=settling,
        router_ok=router_ok,
        internet_ok=internet_ok,
        dns_ok=dns_ok,
        loss=loss,
        rtt_ms=rtt,
        dns_ms=dns_ms,
        down_mbit=down,
        up_mbit=up,
        plan_down_mbit=plan_down_mbit if down is not None else None,
        plan_up_mbit=plan_up_mbit if up is not None else None,
        segment=segment.value if segment else None,
        codes=tuple(f.code for f in report.findings),
    )
