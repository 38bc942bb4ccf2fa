"""Rules over the host, reachability and DNS observations.

They walk the path outwards (link, gateway, internet, names) so the finding
names the first broken segment instead of every symptom after it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from homecare.diagnose.base import Rule, RuleContext
from homecare.diagnose.measured import PathFigure, path_figures
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
    answer_times,
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
    """Gateway and internet answers, loss and latency, from the best figure
    measured for each hop (the long latency series when it ran)."""

    name = "reachability"
    codes = (
        "router.unreachable",
        "provider.no_internet",
        "lan.loss",
        "lan.loss.sustained",
        "lan.loss.unclear",
        "lan.latency.high",
        "internet.loss",
        "internet.loss.sustained",
        "internet.loss.unclear",
        "internet.latency.high",
    )

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        figures = path_figures(ctx)
        if figures.gateway is None and not figures.internet:
            return []
        th = ctx.provider.thresholds
        on_wifi = on_wifi_link(ctx)
        gw = figures.gateway
        inet_up = bool(figures.internet_answers)
        if gw is not None and gw.received == 0 and not inet_up:
            return [
                Finding(
                    code="router.unreachable",
                    severity=Severity.CRITICAL,
                    segment=Segment.WIFI if on_wifi else Segment.ROUTER,
                    summary=_("Your router does not answer."),
                    evidence={"gateway": gw.target, "method": gw.method, "sent": gw.sent},
                )
            ]
        if figures.internet and not inet_up:
            return [
                Finding(
                    code="provider.no_internet",
                    severity=Severity.CRITICAL,
                    segment=Segment.PROVIDER,
                    summary=_("Your router answers, but the internet does not."),
                    evidence={
                        "gateway": gw.target if gw else None,
                        "targets": [f.target for f in figures.internet],
                        "method": figures.internet[0].method,
                    },
                )
            ]
        findings: list[Finding] = []
        gw_ok = True
        if gw is not None and gw.received > 0:
            findings += _quality(ctx, gw, th.gateway_rtt_warn_ms, on_wifi, local=True)
            gw_ok = gw.judge_loss(th.loss_warn) == "clear"
        best = figures.best_internet()
        if best is not None and gw_ok:
            findings += _quality(ctx, best, th.internet_rtt_warn_ms, on_wifi, local=False)
        return findings


def _loss_summary(figure: PathFigure, local: bool) -> str:
    if figure.sustained and not local:
        text = _(
            "{pct:.1f}% of packets beyond your router are lost ({low:.1f}-{high:.1f}%), "
            "but none inside your home."
        )
    elif local:
        text = _("{pct:.1f}% of packets to your router are lost ({low:.1f}-{high:.1f}%).")
    else:
        text = _("{pct:.1f}% of packets to the internet are lost ({low:.1f}-{high:.1f}%).")
    return text.format(
        pct=figure.loss * 100, low=figure.loss_low * 100, high=figure.loss_high * 100
    )


def _unclear_summary(figure: PathFigure, threshold: float, local: bool) -> str:
    text = (
        _(
            "{lost} of {sent} packets to your router were lost: too few probes to tell "
            "whether the loss is above {limit:g}% (it lies between {low:.1f}% and {high:.1f}%)."
        )
        if local
        else _(
            "{lost} of {sent} packets to the internet were lost: too few probes to tell "
            "whether the loss is above {limit:g}% (it lies between {low:.1f}% and {high:.1f}%)."
        )
    )
    return text.format(
        lost=figure.lost,
        sent=figure.sent,
        limit=threshold * 100,
        low=figure.loss_low * 100,
        high=figure.loss_high * 100,
    )


def _quality(
    ctx: RuleContext, figure: PathFigure, rtt_warn: float, on_wifi: bool, local: bool
) -> list[Finding]:
    out: list[Finding] = []
    th = ctx.provider.thresholds
    evidence = figure.evidence()
    segment = (Segment.WIFI if on_wifi else Segment.LAN) if local else Segment.PROVIDER
    prefix = "lan" if local else "internet"
    judged = figure.judge_loss(th.loss_warn)
    if judged == "lossy":
        serious = ctx.provider.quality.loss_problem if figure.sustained else 0.1
        out.append(
            Finding(
                code=f"{prefix}.loss.sustained" if figure.sustained else f"{prefix}.loss",
                severity=Severity.PROBLEM if figure.loss_low >= serious else Severity.WARNING,
                segment=segment,
                summary=_loss_summary(figure, local),
                evidence=evidence,
            )
        )
    elif judged == "unclear":
        out.append(
            Finding(
                code=f"{prefix}.loss.unclear",
                severity=Severity.INFO,
                segment=segment,
                summary=_unclear_summary(figure, th.loss_warn, local),
                evidence=evidence,
            )
        )
    # slow only when even the low end of the median's interval is slow
    low = figure.median_low_ms
    if figure.median_ms is not None and low is not None and low > rtt_warn:
        out.append(
            Finding(
                code=f"{prefix}.latency.high",
                severity=Severity.WARNING,
                segment=segment,
                summary=(
                    _("Your router takes {ms:.0f} ms to answer, which is slow.")
                    if local
                    else _("The internet takes {ms:.0f} ms to answer, which is slow.")
                ).format(ms=figure.median_ms),
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
        if system and not any(lk.ok or not lk.timed_out for lk in system):
            # the system's queries went unanswered, but the very resolvers it
            # uses answered when asked directly (and more persistently): a
            # lost datagram on a lossy line, not names that fail
            answered = [lk for lk in direct if lk.ok and lk.resolver in resolvers]
            lookups = answered or system
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
        ok_times = answer_times(lookups)
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
