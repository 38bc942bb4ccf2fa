"""ReachabilityProbe itself: the gateway from the host's route, the provider's targets.

Loopback plays both (127.0.0.1 the router, 127.0.0.2 the internet): as root the
probe sends raw ICMP, otherwise unprivileged ICMP or timed TCP connects, and
the report says which.
"""

from __future__ import annotations

import os
import time

import pytest

from homecare.models import HostData, Observation, ProbeStatus, ReachabilityData, Route
from homecare.probes.base import ProbeContext
from homecare.probes.reach.probe import ReachabilityProbe
from homecare.profiles.provider import ProviderProfile, Targets, Thresholds


def _ctx(quick: bool = False, with_route: bool = True) -> ProbeContext:
    routes = [Route(family="ipv4", gateway="127.0.0.1", interface="lo")] if with_route else []
    host = HostData(os="Linux test", default_routes=routes)
    provider = ProviderProfile(
        targets=Targets(internet_hosts=["127.0.0.2"]),
        thresholds=Thresholds(ping_count=4, ping_timeout_s=0.5),
    )
    return ProbeContext(
        deadline=time.monotonic() + 10,
        quick=quick,
        provider=provider,
        privileged=os.geteuid() == 0,
        results={"host": Observation(probe="host", area="host", status=ProbeStatus.OK, data=host)},
    )


def test_gateway_and_internet_are_measured() -> None:
    data = ReachabilityProbe().run(_ctx())
    assert isinstance(data, ReachabilityData)
    by_role = {p.role: p for p in data.pings}
    assert set(by_role) == {"gateway", "internet"}
    assert by_role["gateway"].target == "127.0.0.1"
    assert by_role["internet"].target == "127.0.0.2"
    for ping in data.pings:
        assert ping.sent == 4
        assert ping.received == ping.sent, ping
        assert len(ping.rtts_ms) == ping.received
        assert all(0 <= r < 500 for r in ping.rtts_ms)
        assert ping.error is None


def test_quick_sends_half_as_many() -> None:
    data = ReachabilityProbe().run(_ctx(quick=True))
    assert {p.sent for p in data.pings} == {2}


def test_without_a_default_route_only_the_internet_is_asked() -> None:
    data = ReachabilityProbe().run(_ctx(with_route=False))
    assert [p.role for p in data.pings] == ["internet"]


@pytest.mark.skipif(os.geteuid() != 0, reason="raw ICMP needs root")
def test_as_root_raw_icmp_is_used_and_not_explained() -> None:
    data = ReachabilityProbe().run(_ctx())
    assert {p.method for p in data.pings} == {"icmp-raw"}
    assert data.method_note is None
