"""A clock tests drive, and reports built by the real rules from hand-made observations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from homecare.diagnose.verdict import decide
from homecare.engine import diagnose
from homecare.models import (
    DnsData,
    DnsLookup,
    Observation,
    ProbeStatus,
    ReachabilityData,
    Report,
)
from homecare.models.connection import SpeedData, SpeedDirection
from homecare.plugins import get_plugin_manager
from homecare.profiles.provider import ProviderProfile

from ..factories import ping

_PM = get_plugin_manager(plugin_dirs=(), load_entry_points=False)


@dataclass
class FakeClock:
    """Monotonic and wall time that only move when the test (or sleep) says so."""

    mono: float = 1000.0
    now: float = 1_700_000_000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.mono

    def wall(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.now += seconds

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: the wall clock moves, the monotonic one does not."""
        self.now += seconds


def report(
    *,
    router: bool = True,
    internet: bool = True,
    dns_ok: bool = True,
    lost: int = 0,
    down_mbit: float | None = None,
    plan_down: float = 100.0,
) -> Report:
    """A report as run_check would return it, from observations the rules then judge."""
    sent = 10
    got = (sent - lost) if internet and router else 0
    reach_data = ReachabilityData(
        pings=[
            ping("gateway", "192.168.1.1", sent=sent, received=sent if router else 0),
            ping("internet", "192.0.2.10", sent=sent, received=got),
        ]
    )
    lookup = DnsLookup(
        name="example.com",
        ok=dns_ok,
        addresses=["192.0.2.80"] if dns_ok else [],
        elapsed_ms=20.0,
        error=None if dns_ok else "SERVFAIL",
    )
    observations = [
        Observation(
            probe="reachability", area="connectivity", status=ProbeStatus.OK, data=reach_data
        ),
        Observation(probe="dns", area="dns", status=ProbeStatus.OK, data=DnsData(lookups=[lookup])),
    ]
    if down_mbit is not None:
        speed = SpeedData(
            engine="librespeed",
            download=SpeedDirection(direction="download", mbit=down_mbit),
            plan_down_mbit=plan_down,
        )
        observations.append(
            Observation(probe="speed", area="speed", status=ProbeStatus.OK, data=speed)
        )
    provider = ProviderProfile()
    findings = diagnose(observations, _PM, provider)
    return Report(
        id=uuid.uuid4().hex,
        created_at=datetime.now(UTC),
        homecare_version="0.1.0",
        areas=["connectivity", "dns"],
        observations=observations,
        findings=findings,
        verdict=decide(findings, observations, provider),
    )
