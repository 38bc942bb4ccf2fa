"""Rules over the connection-quality payloads: loss and jitter from the long
latency series, DNS honesty and speed per resolver, IPv6, path MTU, captive
portal.

Until the report's payload union names these models, the runner stores them
as GenericData; :func:`payload` reads both forms so the rules work either way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from homecare.diagnose.base import RuleContext
from homecare.i18n import _
from homecare.models import Finding, GenericData, HostData, Segment, Severity
from homecare.models.connection import (
    CaptiveData,
    DnsQualityData,
    Ipv6Data,
    LatencyData,
    LatencySeries,
    MtuData,
)

M = TypeVar("M", bound=BaseModel)


def payload(ctx: RuleContext, model: type[M]) -> M | None:
    """The first payload of *model*, typed or stored as GenericData with its ``kind``."""
    kind = model.model_fields["kind"].default
    for obs in ctx.observations.values():
        if isinstance(obs.data, model):
            return obs.data
        if isinstance(obs.data, GenericData) and obs.data.values.get("kind") == kind:
            try:
                return model.model_validate(obs.data.values)
            except ValidationError:
                continue
    return None


def on_wifi(ctx: RuleContext) -> bool:
    host = ctx.data(HostData)
    return bool(host and host.connection == "wifi")


def gateway_of(ctx: RuleContext) -> str | None:
    host = ctx.data(HostData)
    if host is None:
        return None
    return next((r.gateway for r in host.default_routes if r.family == "ipv4"), None)


def _series_evidence(s: LatencySeries) -> dict[str, object]:
    return {
        "target": s.target,
        "method": s.method,
        "sent": s.stats.sent,
        "loss_pct": round(s.stats.loss * 100, 2),
        "median_ms": s.stats.median_ms,
        "p90_ms": s.stats.p90_ms,
        "p99_ms": s.stats.p99_ms,
        "jitter_ms": s.stats.jitter_ms,
    }


class LatencyQualityRule:
    """Jitter, placed at the home or beyond by the gateway series. Loss from the
    same series is judged by the reachability rule, on the best figure per hop."""

    name = "latency_quality"
    codes = ("internet.jitter.high",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, LatencyData)
        if data is None:
            return []
        q = ctx.provider.quality
        local = Segment.WIFI if on_wifi(ctx) else Segment.LAN
        gw = next((s for s in data.series if s.role == "gateway" and s.stats.sent), None)
        inet = [s for s in data.series if s.role == "internet" and s.stats.received]
        out: list[Finding] = []
        jittery = [s for s in inet if (s.stats.jitter_ms or 0) > q.jitter_warn_ms]
        if jittery and len(jittery) == len(inet):
            worst = min(jittery, key=lambda s: s.stats.jitter_ms or 0)
            gw_jitter = gw.stats.jitter_ms if gw is not None else None
            local_jitter = gw_jitter is not None and gw_jitter > q.jitter_warn_ms
            out.append(
                Finding(
                    code="internet.jitter.high",
                    severity=Severity.WARNING,
                    segment=local if local_jitter else Segment.PROVIDER,
                    summary=_(
                        "Response times vary a lot (jitter {ms:.0f} ms): calls and games may stutter."
                    ).format(ms=worst.stats.jitter_ms or 0),
                    evidence={**_series_evidence(worst), "gateway_jitter_ms": gw_jitter},
                )
            )
        return out


class DnsQualityRule:
    """A resolver that invents answers, or one much slower than the others."""

    name = "dns_quality"
    codes = ("dns.nxdomain_rewrite", "dns.resolver.slow")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, DnsQualityData)
        if data is None:
            return []
        gw = gateway_of(ctx)
        out: list[Finding] = []
        for r in data.resolvers:
            if r.nxdomain_rewrite:
                out.append(
                    Finding(
                        code="dns.nxdomain_rewrite",
                        severity=Severity.WARNING,
                        segment=Segment.ROUTER if r.resolver == gw else Segment.PROVIDER,
                        summary=_(
                            "The DNS server {resolver} answers for names that do not exist."
                        ).format(resolver=r.resolver),
                        evidence={
                            "resolver": r.resolver,
                            "name": r.rewrite_name,
                            "addresses": r.rewrite_addresses,
                        },
                    )
                )
        timed = [r for r in data.resolvers if r.median_ms is not None]
        if len(timed) >= 2:
            fastest = min(timed, key=lambda r: r.median_ms or 0.0)
            limit = max(
                ctx.provider.thresholds.dns_slow_ms / 2,
                (fastest.median_ms or 0.0) * ctx.provider.quality.dns_slow_factor,
            )
            for r in timed:
                if r is not fastest and (r.median_ms or 0.0) > limit:
                    out.append(
                        Finding(
                            code="dns.resolver.slow",
                            severity=Severity.WARNING,
                            segment=Segment.ROUTER if r.resolver == gw else Segment.PROVIDER,
                            summary=_(
                                "The DNS server {resolver} is much slower ({ms:.0f} ms) than "
                                "{fastest} ({fast:.0f} ms)."
                            ).format(
                                resolver=r.resolver,
                                ms=r.median_ms or 0.0,
                                fastest=fastest.resolver,
                                fast=fastest.median_ms or 0.0,
                            ),
                            evidence={
                                "resolver": r.resolver,
                                "median_ms": r.median_ms,
                                "fastest": fastest.resolver,
                                "fastest_median_ms": fastest.median_ms,
                            },
                        )
                    )
        return out


class Ipv6Rule:
    """IPv6 configured but not working makes apps stall before falling back."""

    name = "ipv6"
    codes = ("ipv6.broken",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, Ipv6Data)
        if data is None or data.target is None or data.reachable is not False:
            return []
        return [
            Finding(
                code="ipv6.broken",
                severity=Severity.WARNING,
                segment=Segment.PROVIDER if data.default_route else Segment.ROUTER,
                summary=_(
                    "This device has IPv6, but IPv6 addresses on the internet do not answer."
                ),
                evidence={
                    "addresses": data.global_addresses,
                    "default_route": data.default_route,
                    "target": data.target,
                    "error": data.error,
                },
            )
        ]


class MtuRule:
    """Large packets vanishing silently: big downloads and VPNs hang."""

    name = "mtu"
    codes = ("mtu.blackhole",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, MtuData)
        if data is None or not data.blackhole:
            return []
        return [
            Finding(
                code="mtu.blackhole",
                severity=Severity.PROBLEM,
                segment=Segment.ROUTER,
                summary=_(
                    "Packets larger than {mtu} bytes disappear on the way to the internet."
                ).format(mtu=data.path_mtu or 0),
                evidence={
                    "target": data.target,
                    "path_mtu": data.path_mtu,
                    "interface_mtu": data.interface_mtu,
                    "largest_tried": data.largest_tried,
                },
            )
        ]


def _portal_segment(location: str | None, gateway: str | None) -> Segment:
    """A portal served from the router or a private address is the home's; else the provider's."""
    host = urlsplit(location).hostname if location else None
    if host is None:
        return Segment.PROVIDER
    if host == gateway:
        return Segment.ROUTER
    try:
        return Segment.ROUTER if ipaddress.ip_address(host).is_private else Segment.PROVIDER
    except ValueError:
        return Segment.PROVIDER


class CaptivePortalRule:
    name = "captive"
    codes = ("captive.portal",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, CaptiveData)
        if data is None or not data.captive:
            return []
        return [
            Finding(
                code="captive.portal",
                severity=Severity.CRITICAL,
                segment=_portal_segment(data.location, gateway_of(ctx)),
                summary=_("A login or notice page intercepts your web traffic."),
                evidence={
                    "url": data.url,
                    "status": data.status,
                    "expected_status": data.expected_status,
                    "location": data.location,
                },
            )
        ]


QUALITY_RULES = (LatencyQualityRule(), DnsQualityRule(), Ipv6Rule(), MtuRule(), CaptivePortalRule())
