"""Does the gateway answer, does the internet answer, does a name resolve."""

from __future__ import annotations

from collections.abc import Iterable
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
    timed_out: bool = Field(
        default=False, description="No answer came within the timeout (not an error answer)."
    )
    attempts: int = Field(
        default=1, ge=1, description="Queries sent: more than one when the first went unanswered."
    )


def answer_times(lookups: Iterable[DnsLookup]) -> list[float]:
    """How long answered lookups took, as a resolver's speed.

    A lookup answered only after a resend measured a lost datagram (the
    loss figures report it), not a slow resolver. Resent answers count only
    when none came at the first send and there are at least two of them: a
    resolver slower than the resend interval every time. A single resent
    answer cannot tell loss from slowness, so it gives no time at all (a
    quick check on a 15 % lossy line once called the router's resolver
    "much slower" from one such answer).
    """
    answered = [lk for lk in lookups if lk.ok]
    first = [lk.elapsed_ms for lk in answered if lk.attempts == 1]
    resent = [lk.elapsed_ms for lk in answered if lk.attempts > 1]
    return first or (resent if len(resent) >= 2 else [])


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
