"""Connection quality payloads: latency, speed, DNS quality, captive portal, IPv6, MTU.

Each payload carries a ``kind`` literal so the report's discriminated union can
hold it. Derived figures (loss, percentiles, jitter, grade) are stored, not
computed on read: the JSON report and the collector must see the same numbers
the rules saw.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from homecare.models.common import Strict
from homecare.models.reachability import PingMethod

Role = Literal["gateway", "internet"]
Direction = Literal["download", "upload"]
Grade = Literal["A", "B", "C", "D", "F"]


class LatencyStats(Strict):
    """Summary of one series of round trips (RFC 3550-style jitter)."""

    sent: int = 0
    received: int = 0
    loss: float = Field(default=0.0, ge=0, le=1, description="Lost fraction, 0..1.")
    loss_low: float | None = Field(default=None, ge=0, le=1, description="99 % Wilson, low end.")
    loss_high: float | None = Field(default=None, ge=0, le=1, description="99 % Wilson, high.")
    min_ms: float | None = None
    median_ms: float | None = None
    median_low_ms: float | None = Field(default=None, description="99 % order-statistic interval.")
    median_high_ms: float | None = None
    mean_ms: float | None = None
    p90_ms: float | None = None
    p90_low_ms: float | None = Field(default=None, description="99 % order-statistic interval.")
    p90_high_ms: float | None = None
    p99_ms: float | None = None
    jitter_ms: float | None = Field(
        default=None, description="Mean absolute difference of consecutive round trips."
    )


class LatencySeries(Strict):
    target: str
    role: Role
    method: PingMethod
    stats: LatencyStats
    error: str | None = None


class LatencyData(Strict):
    """Observation payload of the ``latency`` probe."""

    kind: Literal["latency"] = "latency"
    series: list[LatencySeries] = Field(default_factory=list)
    interval_ms: float = 0.0
    method_note: str | None = None


Confidence = Literal["high", "medium", "low"]


class Responsiveness(Strict):
    """Working latency by the IETF responsiveness test (draft-ietf-ippm-responsiveness,
    engine ``nq``): probes on new connections (foreign) and on the load-generating
    ones (self), each kind a 95 % single-sided trimmed mean over the last few intervals."""

    rpm: float | None = Field(
        default=None, description="Round trips per minute: mean of foreign and self RPM."
    )
    confidence: Confidence = Field(
        description="high: stable within the time limit; medium: a full window but not "
        "stable; low: not even a full window of intervals."
    )
    goodput_confidence: Confidence
    foreign_rpm: float | None = None
    self_rpm: float | None = None
    tcp_ms: float | None = Field(default=None, description="Trimmed mean TCP handshake.")
    tls_ms: float | None = Field(
        default=None, description="Trimmed mean TLS handshake per round trip (https only)."
    )
    http_ms: float | None = Field(default=None, description="Trimmed mean small GET, new conn.")
    self_ms: float | None = Field(
        default=None, description="Trimmed mean round trip on the load-generating connections."
    )
    self_method: Literal["http", "tcp_info"] = Field(
        default="tcp_info",
        description="tcp_info: HTTP/1.1 cannot multiplex, so the kernel's RTT estimate of "
        "the loaded connections stands in for self probes (as the draft allows).",
    )
    foreign_probes: int = 0
    self_probes: int = 0
    connections: int = Field(default=0, description="Load-generating connections at the end.")


class SpeedDirection(Strict):
    """One direction of one engine's test."""

    direction: Direction
    mbit: float | None = Field(default=None, description="Goodput after the warm-up.")
    bytes: int = 0
    duration_s: float = 0.0
    streams: int = 0
    settled: bool = Field(default=False, description="Ended early because the rate had settled.")
    samples_mbit: list[float] = Field(default_factory=list)
    low_mbit: float | None = Field(
        default=None, description="10th percentile of the samples after the warm-up."
    )
    high_mbit: float | None = Field(
        default=None, description="90th percentile of the samples after the warm-up."
    )
    counted: Literal["received", "acked", "server", "sent"] | None = Field(
        default=None,
        description="What the rate counts: bytes received, acknowledged (TCP_INFO), "
        "counted by the server, or only written (least exact).",
    )
    min_rtt_ms: float | None = Field(default=None, description="TCP's minimum round trip.")
    retransmitted: float | None = Field(
        default=None, description="Retransmitted fraction of the bytes sent, 0..1."
    )
    responsiveness: Responsiveness | None = Field(
        default=None, description="Working latency (the nq engine only)."
    )
    error: str | None = None


class LoadedLatency(Strict):
    """Round trips measured while one direction of the speed test ran."""

    phase: Literal["idle", "download", "upload"]
    target: str
    role: Role
    method: PingMethod
    stats: LatencyStats
    increase_ms: float | None = Field(default=None, description="Median under load minus idle.")
    rpm: float | None = Field(default=None, description="Round trips per minute under load.")


class EngineAttempt(Strict):
    engine: str
    server: str | None = None
    ok: bool
    error: str | None = None


class SpeedData(Strict):
    """Observation payload of the ``speed`` probe."""

    kind: Literal["speed"] = "speed"
    engine: str | None = Field(default=None, description="The engine whose figures are reported.")
    server: str | None = None
    download: SpeedDirection | None = None
    upload: SpeedDirection | None = None
    attempts: list[EngineAttempt] = Field(default_factory=list)
    latency: list[LoadedLatency] = Field(default_factory=list)
    bufferbloat_grade: Grade | None = None
    bufferbloat_ms: float | None = Field(
        default=None, description="Worst increase beyond the router."
    )
    rpm: float | None = Field(default=None, description="Worst responsiveness under load.")
    plan_down_mbit: float | None = None
    plan_up_mbit: float | None = None
    bytes_used: int = 0


class ResolverQuality(Strict):
    resolver: str
    queries: int = 0
    answered: int = 0
    median_ms: float | None = None
    nxdomain_rewrite: bool = False
    rewrite_name: str | None = None
    rewrite_addresses: list[str] = Field(default_factory=list)
    error: str | None = None


class DnsQualityData(Strict):
    """Observation payload of the ``dns_quality`` probe."""

    kind: Literal["dns_quality"] = "dns_quality"
    resolvers: list[ResolverQuality] = Field(default_factory=list)


CaptiveVerdict = Literal["ok", "redirect", "login_page", "unexpected", "error"]


class CaptiveCheckResult(Strict):
    """What one connectivity URL answered, and what that answer means."""

    url: str
    source: Literal["provider", "platform"]
    expected_status: int
    status: int | None = None
    location: str | None = None
    body_bytes: int = 0
    verdict: CaptiveVerdict = "error"
    error: str | None = None


class CaptiveData(Strict):
    """Observation payload of the ``captive`` probe.

    The top-level fields describe the deciding check (the first redirect or
    login page, else the provider's); ``checks`` has every one of them.
    ``captive`` is true only on a redirect or a login page, or when two or
    more checks agree that something else answers and none answered as
    expected: one blocked host or a DNS filter is not a portal.
    """

    kind: Literal["captive"] = "captive"
    url: str
    expected_status: int
    status: int | None = None
    location: str | None = None
    body_bytes: int = 0
    captive: bool = False
    error: str | None = None
    checks: list[CaptiveCheckResult] = Field(default_factory=list)


class Ipv6Data(Strict):
    """Observation payload of the ``ipv6`` probe."""

    kind: Literal["ipv6"] = "ipv6"
    global_addresses: list[str] = Field(default_factory=list)
    default_route: bool = False
    target: str | None = None
    reachable: bool | None = Field(default=None, description="None when no target was tried.")
    rtt_ms: float | None = None
    error: str | None = None


class MtuData(Strict):
    """Observation payload of the ``mtu`` probe."""

    kind: Literal["mtu"] = "mtu"
    target: str
    method: Literal["icmp", "udp", "none"]
    interface_mtu: int | None = None
    path_mtu: int | None = None
    largest_tried: int | None = None
    blackhole: bool = Field(
        default=False, description="Large DF packets vanished without any 'too big' signal."
    )
    error: str | None = None
