"""The figures a plan can put thresholds on, read from a check's Report.

Each metric names the check area that measures it (so a plan can be checked
before anything runs), its type (number, yes/no, grade A-F), which way is
better, and for speeds the plan rate a relative threshold multiplies.
Reading never measures: the engine already did, and the step keeps the
Report the figure came from.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from homecare.models import (
    DevicesData,
    DnsData,
    ReachabilityData,
    Report,
    Severity,
    WifiData,
    answer_times,
)
from homecare.models.connection import CaptiveData, LatencyData, SpeedData
from homecare.models.session import MetricValue

Kind = Literal["number", "bool", "grade"]
GRADES = "ABCDF"


@dataclass(frozen=True)
class Metric:
    name: str
    area: str
    kind: Kind
    unit: str
    #: which way is better: a bare number threshold means ">=" for "higher", "<=" for "lower"
    better: Literal["higher", "lower"]
    read: Callable[[Report], MetricValue]
    #: the plan rate a threshold written "0.9 plan" multiplies
    plan: Literal["down", "up"] | None = None


def _speed(report: Report, direction: Literal["download", "upload"]) -> float | None:
    data = report.data_of(SpeedData)
    if data is None:
        return None
    side = data.download if direction == "download" else data.upload
    return None if side is None or side.mbit is None else round(side.mbit, 2)


def _grade(report: Report) -> str | None:
    data = report.data_of(SpeedData)
    return data.bufferbloat_grade if data else None


def _latency(report: Report, role: str, field: str) -> float | None:
    data = report.data_of(LatencyData)
    if data is None:
        return None
    for series in data.series:
        if series.role == role and series.stats.sent > 0:
            if field == "loss_pct":
                return round(series.stats.loss * 100, 2)
            value = getattr(series.stats, field)
            return None if value is None else round(float(value), 2)
    return None


def _reach_loss(report: Report, role: str) -> float | None:
    data = report.data_of(ReachabilityData)
    if data is None:
        return None
    pings = [p for p in data.pings if p.role == role and p.sent > 0]
    if not pings:
        return None
    return round(100 * sum(p.sent - p.received for p in pings) / sum(p.sent for p in pings), 2)


def _internet_reachable(report: Report) -> bool | None:
    data = report.data_of(ReachabilityData)
    if data is None:
        return None
    pings = [p for p in data.pings if p.role == "internet"]
    return any(p.reachable for p in pings) if pings else None


def _captive(report: Report) -> bool | None:
    data = report.data_of(CaptiveData)
    return None if data is None or data.error else data.captive


def _dns_answered(report: Report) -> bool | None:
    data = report.data_of(DnsData)
    if data is None or not data.lookups:
        return None
    return all(lookup.ok for lookup in data.lookups)


def _dns_ms(report: Report) -> float | None:
    data = report.data_of(DnsData)
    times = answer_times(data.lookups) if data else []
    return round(statistics.median(times), 2) if times else None


def _wifi(report: Report, field: str) -> MetricValue:
    data = report.data_of(WifiData)
    if data is None or data.link is None:
        return None
    if field == "connected":
        return data.link.connected
    value = getattr(data.link, field)
    return None if value is None else float(value)


def _dhcp_servers(report: Report) -> float | None:
    data = report.data_of(DevicesData)
    if data is None or data.dhcp_servers is None:
        return None
    return float(len(data.dhcp_servers))


def _device_count(report: Report) -> float | None:
    data = report.data_of(DevicesData)
    return None if data is None else float(len(data.devices))


def _problems(report: Report) -> float:
    return float(sum(1 for f in report.findings if f.severity.rank >= Severity.PROBLEM.rank))


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("speed.download_mbit", "speed", "number", "Mbit/s", "higher",
               lambda r: _speed(r, "download"), plan="down"),
        Metric("speed.upload_mbit", "speed", "number", "Mbit/s", "higher",
               lambda r: _speed(r, "upload"), plan="up"),
        Metric("speed.bufferbloat_grade", "speed", "grade", "", "higher", _grade),
        Metric("latency.gateway_loss_pct", "latency", "number", "%", "lower",
               lambda r: _latency(r, "gateway", "loss_pct")),
        Metric("latency.internet_loss_pct", "latency", "number", "%", "lower",
               lambda r: _latency(r, "internet", "loss_pct")),
        Metric("latency.gateway_median_ms", "latency", "number", "ms", "lower",
               lambda r: _latency(r, "gateway", "median_ms")),
        Metric("latency.internet_median_ms", "latency", "number", "ms", "lower",
               lambda r: _latency(r, "internet", "median_ms")),
        Metric("latency.internet_jitter_ms", "latency", "number", "ms", "lower",
               lambda r: _latency(r, "internet", "jitter_ms")),
        Metric("connectivity.gateway_loss_pct", "connectivity", "number", "%", "lower",
               lambda r: _reach_loss(r, "gateway")),
        Metric("connectivity.internet_reachable", "connectivity", "bool", "", "higher",
               _internet_reachable),
        Metric("connectivity.captive_portal", "connectivity", "bool", "", "lower", _captive),
        Metric("dns.answered", "dns", "bool", "", "higher", _dns_answered),
        Metric("dns.lookup_ms", "dns", "number", "ms", "lower", _dns_ms),
        Metric("wifi.connected", "wifi", "bool", "", "higher", lambda r: _wifi(r, "connected")),
        Metric("wifi.signal_dbm", "wifi", "number", "dBm", "higher",
               lambda r: _wifi(r, "signal_dbm")),
        Metric("wifi.tx_rate_mbps", "wifi", "number", "Mbit/s", "higher",
               lambda r: _wifi(r, "tx_rate_mbps")),
        Metric("devices.dhcp_servers", "devices", "number", "", "lower", _dhcp_servers),
        Metric("devices.count", "devices", "number", "", "higher", _device_count),
        Metric("findings.problems", "", "number", "", "lower", _problems),
    )
}  # fmt: skip
