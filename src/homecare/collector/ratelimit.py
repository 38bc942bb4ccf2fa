"""Token-bucket rate limits: in process, and shared by instances through the database.

Keys are never the ingest token (it is public: every customer has the same
one). Uploads are limited per installation and per source address, support
lookups and insights per support/analyst token, failed logins per source
(see :mod:`homecare.collector.api.deps`).

:class:`TokenBuckets` keeps buckets in this process only. :class:`SharedBuckets`
stores them in the ``rate_buckets`` table, one atomic upsert per request, so
N instances behind a load balancer allow the rate once, not N times;
:class:`LayeredBuckets` puts a local bucket in front of the shared one so a
flood from one key is refused without a database write once its local
bucket is empty.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine, text


class Limiter(Protocol):
    def take(self, key: str, cost: float = 1.0) -> float:
        """0 when a request may go ahead, else seconds until it could.

        A request needs ``max(cost, 1)`` tokens and takes *cost*: cost 0 asks
        "is this key still allowed?" without spending."""
        ...  # pragma: no cover


class TokenBuckets:
    """In-process buckets (*rate* tokens/s, at most *burst*); rate 0 = no limit."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, cost: float = 1.0) -> float:
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            if len(self._buckets) > 100_000:
                self._prune(now)
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            need = max(cost, 1.0)
            if tokens >= need:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (need - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled: they hold nothing a new one would not."""
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}


_UPSERT = """
INSERT INTO rate_buckets (key, tokens, stamp, allowed)
VALUES (:key, :burst - :cost, :now, 1)
ON CONFLICT (key) DO UPDATE SET
  tokens = CASE WHEN {least}(:burst, rate_buckets.tokens + (:now - rate_buckets.stamp) * :rate) >= :need
                THEN {least}(:burst, rate_buckets.tokens + (:now - rate_buckets.stamp) * :rate) - :cost
                ELSE {least}(:burst, rate_buckets.tokens + (:now - rate_buckets.stamp) * :rate) END,
  stamp = :now,
  allowed = CASE WHEN {least}(:burst, rate_buckets.tokens + (:now - rate_buckets.stamp) * :rate) >= :need
                 THEN 1 ELSE 0 END
RETURNING tokens, allowed
"""


class SharedBuckets:
    """Buckets in the database: every instance sees the same tokens.

    The wall clock is the time base (instances' clocks agree to well under a
    second with NTP, which is far below a bucket's refill time)."""

    def __init__(
        self, engine: Engine, rate: float, burst: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.rate, self.burst, self._clock, self._engine = rate, burst, clock, engine
        least = "LEAST" if engine.dialect.name == "postgresql" else "MIN"
        self._sql = text(_UPSERT.format(least=least))

    def take(self, key: str, cost: float = 1.0) -> float:
        if self.rate <= 0:
            return 0.0
        need = max(cost, 1.0)
        now = self._clock()
        params: dict[str, object] = {
            "key": key[:200],
            "burst": float(self.burst),
            "cost": cost,
            "need": need,
            "now": now,
            "rate": self.rate,
        }
        with self._engine.begin() as conn:
            tokens, allowed = conn.execute(self._sql, params).one()
        if random.random() < 0.001:
            self._prune(now)
        return 0.0 if allowed else (need - float(tokens)) / self.rate

    def _prune(self, now: float) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                text("DELETE FROM rate_buckets WHERE stamp < :old"),
                {"old": now - self.burst / self.rate - 60},
            )


class LayeredBuckets:
    """A local bucket in front of a shared one, both at the same rate.

    The local one can only refuse what the shared one would (it sees a
    subset of the requests), and it refuses without a database write."""

    def __init__(self, local: TokenBuckets, shared: SharedBuckets) -> None:
        self.local, self.shared = local, shared

    def take(self, key: str, cost: float = 1.0) -> float:
        wait = self.local.take(key, cost)
        if wait > 0:
            return wait
        return self.shared.take(key, cost)


def make_limiter(engine: Engine | None, rate: float, burst: int) -> Limiter:
    """Shared through *engine* when given, else in process only."""
    local = TokenBuckets(rate, burst)
    if engine is None:
        return local
    return LayeredBuckets(local, SharedBuckets(engine, rate, burst))


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
