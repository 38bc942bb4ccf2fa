"""DNS quality: how fast each resolver answers, and whether it lies.

A resolver that answers a name which cannot exist (``<random>.invalid``,
RFC 6761) with an address is rewriting NXDOMAIN, usually to an ad or search
page; that breaks typo detection, VPN split DNS and some apps. Queries go
straight to each resolver so the slow or lying one is named.
"""

from __future__ import annotations

import secrets
import statistics
from concurrent.futures import ThreadPoolExecutor

from homecare.i18n import _
from homecare.models import DnsLookup, HostData, answer_times
from homecare.models.connection import DnsQualityData, ResolverQuality
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.dns.lookups import direct_lookup


def nonexistent_names(profile_names: list[str]) -> list[str]:
    """A fresh random name under the reserved ``.invalid`` TLD plus the profile's."""
    return [f"hc-{secrets.token_hex(6)}.invalid", *profile_names]


def summarize_resolver(
    resolver: str, timed: list[DnsLookup], probes: list[DnsLookup]
) -> ResolverQuality:
    """Timing over real names; any address for a nonexistent name is rewriting.

    The median is the resolver's speed: answers that needed a resend measured
    a lost datagram, not the resolver (``answer_times``). It is the low median,
    so of a quick check's two rounds one slow answer does not make a slow
    resolver: a forwarder that lost its upstream answer once also answers
    every client waiting on the same question late, at their first send.
    """
    ok = answer_times(timed)
    answered = sum(1 for x in timed if x.ok)
    rewritten = next((p for p in probes if p.ok and p.addresses), None)
    errors = [x.error for x in timed if not x.ok and x.error]
    return ResolverQuality(
        resolver=resolver,
        queries=len(timed),
        answered=answered,
        median_ms=round(statistics.median_low(ok), 2) if ok else None,
        nxdomain_rewrite=rewritten is not None,
        rewrite_name=rewritten.name if rewritten else None,
        rewrite_addresses=rewritten.addresses if rewritten else [],
        error=errors[0] if errors and not ok else None,
    )


def resolvers_of(ctx: ProbeContext) -> list[str]:
    host = ctx.results.get("host")
    resolvers = list(host.data.resolvers) if host and isinstance(host.data, HostData) else []
    extra = ctx.provider.targets.provider_resolver
    if extra and extra not in resolvers:
        resolvers.append(extra)
    return resolvers


class DnsQualityProbe:
    name = "dns_quality"
    area = "dns"
    requires: tuple[str, ...] = ("host",)
    timeout_s = 10.0

    def run(self, ctx: ProbeContext) -> DnsQualityData:
        resolvers = resolvers_of(ctx)
        if not resolvers:
            raise ProbeSkipped(_("No DNS resolver is configured on this device."))
        names = ctx.provider.targets.dns_names
        rounds = 2 if ctx.quick else 3  # never judge a resolver on one answer
        timeout = min(ctx.provider.thresholds.dns_timeout_s, max(0.2, ctx.remaining() / 3))
        bogus = nonexistent_names(ctx.provider.quality.nxdomain_names)
        ctx.progress(_("Timing {n} DNS resolver(s)").format(n=len(resolvers)))

        def one(resolver: str) -> ResolverQuality:
            # distinct names per round defeat the resolver's cache only for
            # the first round; later rounds measure the cached path, which is
            # what browsing mostly sees
            timed = [direct_lookup(n, resolver, timeout) for _r in range(rounds) for n in names]
            probes = [direct_lookup(n, resolver, timeout) for n in bogus]
            return summarize_resolver(resolver, timed, probes)

        with ThreadPoolExecutor(max_workers=min(8, len(resolvers))) as pool:
            return DnsQualityData(resolvers=list(pool.map(one, resolvers)))
