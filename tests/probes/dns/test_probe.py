"""DnsProbe itself: the system path and every resolver the host and provider name.

Only ``localhost`` is ever asked: the system path answers it from /etc/hosts
without a packet (any other name would ask the host's resolver, which tests
must never do); the direct path asks the tiny resolver on 127.0.0.1 of
``test_dns_lookups``, which knows one other name and says NXDOMAIN to the rest.
"""

from __future__ import annotations

import time

from homecare.models import DnsData, HostData, Observation, ProbeStatus
from homecare.probes.base import ProbeContext
from homecare.probes.dns.probe import DnsProbe
from homecare.profiles.provider import ProviderProfile, Targets

from .test_lookups import Responder, responder

__all__ = ["responder"]  # the fixture, used by name below


def _ctx(
    resolvers: list[str], names: list[str], quick: bool = False, extra: str | None = None
) -> ProbeContext:
    host = HostData(os="Linux test", resolvers=resolvers)
    provider = ProviderProfile(targets=Targets(dns_names=names, provider_resolver=extra))
    return ProbeContext(
        deadline=time.monotonic() + 10,
        quick=quick,
        provider=provider,
        privileged=False,
        results={"host": Observation(probe="host", area="host", status=ProbeStatus.OK, data=host)},
    )


def test_asks_the_system_and_each_resolver(responder: Responder) -> None:
    data = DnsProbe().run(_ctx(["127.0.0.1"], ["localhost"]))
    assert isinstance(data, DnsData)
    by_path = {(lk.name, lk.resolver): lk for lk in data.lookups}
    assert set(by_path) == {("localhost", None), ("localhost", "127.0.0.1")}
    assert by_path[("localhost", None)].ok
    assert by_path[("localhost", "127.0.0.1")].error == "NXDOMAIN"  # asked, and answered
    assert responder.queries == 1


def test_quick_asks_one_name_and_adds_the_providers_resolver(responder: Responder) -> None:
    data = DnsProbe().run(_ctx([], ["localhost", "localhost."], quick=True, extra="127.0.0.1"))
    assert [(lk.name, lk.resolver) for lk in data.lookups] == [
        ("localhost", None),
        ("localhost", "127.0.0.1"),
    ]
    assert responder.queries == 1


def test_a_silent_resolver_is_a_failed_lookup_within_the_budget(responder: Responder) -> None:
    responder.mode = "silent"
    started = time.monotonic()
    data = DnsProbe().run(_ctx(["127.0.0.1"], ["localhost"]))
    direct = next(lk for lk in data.lookups if lk.resolver == "127.0.0.1")
    assert not direct.ok and direct.error
    assert time.monotonic() - started < 10
