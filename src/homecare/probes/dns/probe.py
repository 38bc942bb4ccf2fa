"""The DNS probe: the system resolver and each configured resolver, timed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from homecare.models import DnsData, DnsLookup, HostData
from homecare.probes.base import ProbeContext
from homecare.probes.dns.lookups import direct_lookup, system_lookup


class DnsProbe:
    name = "dns"
    area = "dns"
    requires: tuple[str, ...] = ("host",)
    #: run beside it in a targeted check, so a dead router is not blamed elsewhere
    supporting: tuple[str, ...] = ("reachability",)
    timeout_s = 10.0

    def run(self, ctx: ProbeContext) -> DnsData:
        host = ctx.results.get("host")
        resolvers = list(host.data.resolvers) if host and isinstance(host.data, HostData) else []
        extra = ctx.provider.targets.provider_resolver
        if extra and extra not in resolvers:
            resolvers.append(extra)
        names = ctx.provider.targets.dns_names
        if ctx.quick:
            names = names[:1]
        timeout = min(ctx.provider.thresholds.dns_timeout_s, max(0.2, ctx.remaining() - 0.2))
        jobs: list[tuple[str, str | None]] = [(n, None) for n in names]
        jobs += [(n, r) for r in resolvers for n in names]
        with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
            lookups: list[DnsLookup] = list(
                pool.map(
                    lambda job: (
                        system_lookup(job[0], timeout)
                        if job[1] is None
                        else direct_lookup(job[0], job[1], timeout)
                    ),
                    jobs,
                )
            )
        return DnsData(lookups=lookups)
