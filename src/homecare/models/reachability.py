"""Does the gateway answer, does the internet answer, does a name resolve."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from homecare.models.common import Strict

PingMethod = Literal["icmp-raw", "icmp-dgram", "tcp-connect", "none"]


class PingResult(Strict):
    target: str
    role: Literal["gateway", "internet"]
    method: PingMethod
    sent: int
    received: int
    rtts_ms: list[float] = Field(default_factory=list)
    error: str | None = None

    @property
    def loss(self) -> float:
        return 0.0 if self.sent == 0 else 1.0 - self.received / self.sent

    @property
    def reachable(self) -> bool:
        return self.received > 0


class DnsLookup(Strict):
    name: str
    resolver: str | None = Field(default=None, description="None means the system resolver.")
    ok: bool
    addresses: list[str] = Field(default_factory=list)
    elapsed_ms: float
    error: str | None = None


class ReachabilityData(Strict):
    """Observation payload of the ``reachability`` probe."""

    kind: Literal["reachability"] = "reachability"
    pings: list[PingResult] = Field(default_factory=list)
    method_note: str | None = Field(
        default=None, description="Why a fallback method was used (e.g. no raw-socket privilege)."
    )


class DnsData(Strict):
    """Observation payload of the ``dns`` probe."""

    kind: Literal["dns"] = "dns"
    lookups: list[DnsLookup] = Field(default_factory=list)
