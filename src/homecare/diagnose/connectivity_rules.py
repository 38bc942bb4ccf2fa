"""Rules over the host, reachability and DNS observations.

They walk the path outwards (link, gateway, internet, names) so the finding
names the first broken segment instead of every symptom after it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from homecare.diagnose.base import Rule, RuleContext
from homecare.i18n import _
from homecare.models import (
    DnsData,
    DnsLookup,
    Finding,
    HostData,
    PingResult,
    ReachabilityData,
    Segment,
    Severity,
    WifiData,
)


def on_wifi_link(ctx: RuleContext) -> bool:
    """Whether the path to the router starts with a Wi-Fi hop.

    The host probe judges by the interface (sysfs, names); the Wi-Fi probe
    knows which interface is associated. Either is enough: then loss or delay
    to the router is the Wi-Fi's doing until shown otherwise.
    """
    host = ctx.data(HostData)
    if host is not None and host.connection == "wifi":
        return True
    wifi = ctx.data(WifiData)
    link = wifi.link if wifi is not None else None
    if link is None or not link.connected:
        return False
    primary = host.primary_interface if host is not None else None
    return link.interface is None or primary is None or link.interface == primary


def _gateway(reach: ReachabilityData | None) -> PingResult | None:
    return next((p for p in reach.pings if p.role == "gateway"), None) if reach else None


def _internet(reach: ReachabilityData | None) -> list[PingResult]:
    return [p for p in reach.pings if p.role == "internet"] if reach else []


def _loss(ping: PingResult) -> float:
    """Lost fraction, computed so that thresholds hold exactly (1 - 98/100 > 0.02)."""
    return 0.0 if ping.sent <= 0 else (ping.sent - ping.received) / ping.sent


class LinkRule:
    """No usable network interface, or no route out of it."""

    name = "link"
    codes = ("device.no_link", "lan.no_gateway")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        host = ctx.data(HostData)
        if host is None:
            return []
        usable = [
            i
            for i in host.interfaces
            if i.kind != "loopback" and i.is_up and any(a.family == "ipv4" for a in i.addresses)
        ]
        if not usable:
            up = [i.name for i in host.interfaces if i.kind != "loopback" and i.is_up]
            return [
                Finding(
                    code="device.no_link",
                    severity=Severity.CRITICAL,
                    segment=Segment.DEVICE,
                    summary=_("This device is not connected to any network."),
                    evidence={"interfaces_up": up},
                )
            ]
        if not any(r.family == "ipv4" for r in host.default_routes):
            return [
                Finding(
                    code="lan.no_gateway",
                    severity=Severity.CRITICAL,
                    segment=Segment.LAN,
                    summary=_("Connected to a network, but no router (default gateway) is set."),
                    evidence={"interfaces": [i.name for i in usable]},
                )
            ]
        return []


class ReachabilityRule:
    """Gateway and internet answers, loss and latency."""

    name = "reachability"
    codes = (
        "router.unreachable",
        "provider.no_internet",
        "lan.loss",
        "lan.latency.high",
        "internet.loss",
        "internet.latency.high",
    )

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        reach = ctx.data(ReachabilityData)
        if reach is None:
            return []
        th = ctx.provider.thresholds
        on_wifi = on_wifi_link(ctx)
        gw = _gateway(reach)
        inet = _internet(reach)
        inet_up = any(p.reachable for p in inet)
        findings: list[Finding] = []
        if gw is not None and not gw.reachable and not inet_up:
            findings.append(
                Finding(
                    code="router.unreachable",
                    severity=Severity.CRITICAL,
                    segment=Segment.WIFI if on_wifi else Segment.ROUTER,
                    summary=_("Your router does not answer."),
                    evidence={"gateway": gw.target, "method": gw.method, "sent": gw.sent},
                )
            )
            return findings
        if inet and not inet_up:
            findings.append(
                Finding(
                    code="provider.no_internet",
                    severity=Severity.CRITICAL,
                    segment=Segment.PROVIDER,
                    summary=_("Your router answers, but the internet does not."),
                    evidence={
                        "gateway": gw.target if gw else None,
                        "targets": [p.target for p in inet],
                        "method": inet[0].method,
                    },
                )
            )
            return findings
        if gw is not None and gw.reachable:
            findings += _quality(gw, th.loss_warn, th.gateway_rtt_warn_ms, on_wifi, local=True)
            gw_ok = _loss(gw) <= th.loss_warn
        else:
            gw_ok = True
        best = max((p for p in inet if p.reachable), key=lambda p: p.received, default=None)
        if best is not None and gw_ok:
            findings += _quality(best, th.loss_warn, th.internet_rtt_warn_ms, on_wifi, local=False)
        return findings


def _quality(
    ping: PingResult, loss_warn: float, rtt_warn: float, on_wifi: bool, local: bool
) -> list[Finding]:
    out: list[Finding] = []
    loss = _loss(ping)
    evidence = {
        "target": ping.target,
        "loss_pct": round(loss * 100, 1),
        "median_ms": round(statistics.median(ping.rtts_ms), 2) if ping.rtts_ms else None,
        "sent": ping.sent,
        "method": ping.method,
    }
    segment = (Segment.WIFI if on_wifi else Segment.LAN) if local else Segment.PROVIDER
    prefix = "lan" if local else "internet"
    if loss > loss_warn:
        out.append(
            Finding(
                code=f"{prefix}.loss",
                severity=Severity.PROBLEM if loss >= 0.1 else Severity.WARNING,
                segment=segment,
                summary=(
                    _("{pct:.0f}% of packets to your router are lost.")
                    if local
                    else _("{pct:.0f}% of packets to the internet are lost.")
                ).format(pct=loss * 100),
                evidence=evidence,
            )
        )
    median = evidence["median_ms"]
    if isinstance(median, float) and median > rtt_warn:
        out.append(
            Finding(
                code=f"{prefix}.latency.high",
                severity=Severity.WARNING,
                segment=segment,
                summary=(
                    _("Your router takes {ms:.0f} ms to answer, which is slow.")
                    if local
                    else _("The internet takes {ms:.0f} ms to answer, which is slow.")
                ).format(ms=median),
                evidence=evidence,
            )
        )
    return out


class DnsRule:
    """Names failing while addresses work, slow names, one bad resolver."""

    name = "dns"
    codes = ("dns.failing", "dns.slow", "dns.resolver.failing")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        dns = ctx.data(DnsData)
        if dns is None or not dns.lookups:
            return []
        reach = ctx.data(ReachabilityData)
        inet_up = any(p.reachable for p in _internet(reach))
        gw = _gateway(reach)
        host = ctx.data(HostData)
        resolvers = host.resolvers if host else []
        system = [lk for lk in dns.lookups if lk.resolver is None]
        direct = [lk for lk in dns.lookups if lk.resolver is not None]
        findings: list[Finding] = []
        lookups = system or direct
        if lookups and not any(lk.ok for lk in lookups):
            if reach is not None and not inet_up:
                return []  # nothing works; the reachability finding explains it
            findings.append(
                Finding(
                    code="dns.failing",
                    severity=Severity.CRITICAL,
                    segment=_dns_segment(ctx, direct, resolvers, gw),
                    summary=_("Websites cannot be found by name, although the internet answers."),
                    evidence={
                        "names": sorted({lk.name for lk in lookups}),
                        "resolvers": resolvers,
                        "errors": sorted({lk.error or "" for lk in lookups}),
                    },
                )
            )
            return findings
        ok_times = [lk.elapsed_ms for lk in lookups if lk.ok]
        if ok_times and statistics.median(ok_times) > ctx.provider.thresholds.dns_slow_ms:
            findings.append(
                Finding(
                    code="dns.slow",
                    severity=Severity.WARNING,
                    segment=Segment.PROVIDER,
                    summary=_("Looking up website names is slow ({ms:.0f} ms).").format(
                        ms=statistics.median(ok_times)
                    ),
                    evidence={"median_ms": round(statistics.median(ok_times), 1)},
                )
            )
        by_resolver: dict[str, list[bool]] = {}
        for lk in direct:
            by_resolver.setdefault(lk.resolver or "", []).append(lk.ok)
        bad = sorted(r for r, oks in by_resolver.items() if not any(oks))
        if bad and len(bad) < len(by_resolver):
            findings.append(
                Finding(
                    code="dns.resolver.failing",
                    severity=Severity.WARNING,
                    segment=Segment.PROVIDER,
                    summary=_("One of your DNS servers does not answer; the others do."),
                    evidence={"failing": bad, "working": sorted(set(by_resolver) - set(bad))},
                )
            )
        return findings


def _dns_segment(
    ctx: RuleContext, direct: list[DnsLookup], resolvers: list[str], gw: PingResult | None
) -> Segment:
    """Who to blame when names fail.

    The provider's own resolver, asked directly, settles it: failing too means
    the provider; answering means the router's forwarder. Without it, a
    resolver on the gateway points at the router, anything else at the provider.
    """
    provider_resolver = ctx.provider.targets.provider_resolver
    asked = [lk for lk in direct if lk.resolver == provider_resolver]
    if provider_resolver and asked:
        return Segment.ROUTER if any(lk.ok for lk in asked) else Segment.PROVIDER
    return Segment.ROUTER if gw is not None and gw.target in resolvers else Segment.PROVIDER


CONNECTIVITY_RULES: tuple[Rule, ...] = (LinkRule(), ReachabilityRule(), DnsRule())
