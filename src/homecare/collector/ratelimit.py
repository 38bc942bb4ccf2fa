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
bucket is empty. :class:`RedisBuckets` is the same bucket in Redis (one Lua
script per charge, atomic in the server), chosen by ``redis_url``.

:class:`GlobalBudget` is the global capacity guard: one bucket for all
uploads of all instances, taken from the shared backend in small leases so
that the one hot key is written a few dozen times a second, not per upload.

When the shared backend is Redis and Redis cannot be reached, a charge
raises :class:`LimiterUnavailable` and the request is refused with 503
(fail closed; see docs/collector.md, "Rate limits").
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from redis import Redis


class Limiter(Protocol):
    def take(self, key: str, cost: float = 1.0) -> float:
        """0 when a request may go ahead, else seconds until it could.

        A request needs ``max(cost, 1)`` tokens and takes *cost*: cost 0 asks
        "is this key still allowed?" without spending."""
        ...  # pragma: no cover


class LimiterUnavailable(Exception):
    """The shared rate-limit backend cannot be reached (one line, for a 503)."""


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

    def __init__(self, local: TokenBuckets, shared: Shared) -> None:
        self.local, self.shared = local, shared

    def take(self, key: str, cost: float = 1.0) -> float:
        wait = self.local.take(key, cost)
        if wait > 0:
            return wait
        return self.shared.take(key, cost)


_LUA = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local cost, need = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(held[1]) or burst
local stamp = tonumber(held[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local allowed = 0
if tokens >= need then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
return {allowed, tostring(tokens)}
"""


class RedisBuckets:
    """The database buckets' semantics in Redis: a hash per key (tokens,
    stamp), read, refilled and charged by one Lua script, so concurrent
    charges from any number of instances are serialised by the server.

    Redis's own clock (``TIME``) is the time base, so instances need not
    agree on theirs; a key expires once it would have refilled anyway."""

    PREFIX = "homecare:rate:"

    def __init__(self, client: Redis, rate: float, burst: int) -> None:
        self.rate, self.burst, self._client = rate, burst, client
        self._script = client.register_script(_LUA)

    def take(self, key: str, cost: float = 1.0) -> float:
        from redis.exceptions import RedisError

        if self.rate <= 0:
            return 0.0
        need = max(cost, 1.0)
        args = [self.rate, float(self.burst), cost, need]
        try:
            allowed, tokens = self._script(keys=[self.PREFIX + key[:200]], args=args)
        except RedisError as exc:
            raise LimiterUnavailable(f"rate-limit backend (Redis) unavailable: {exc}") from None
        return 0.0 if int(allowed) else (need - float(tokens)) / self.rate


def connect_redis(url: str) -> Redis:
    """A client for *url* (``redis://127.0.0.1:6379/0``, ``unix:///run/redis.sock``)
    with short timeouts: a charge must fail fast, not hang an upload; checked
    with PING so a wrong URL fails at start, in one line."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        client.ping()
    except (RedisError, ValueError) as exc:
        raise LimiterUnavailable(f"cannot reach Redis at {_redacted(url)}: {exc}") from None
    return client


def _redacted(url: str) -> str:
    """*url* without its password (error lines end up in logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


Shared = SharedBuckets | RedisBuckets


def make_limiter(
    engine: Engine | None, rate: float, burst: int, redis: Redis | None = None
) -> Limiter:
    """Shared through Redis when a client is given, else through *engine*
    when given, else in process only; a local bucket in front of a shared one."""
    local = TokenBuckets(rate, burst)
    shared: Shared | None = (
        RedisBuckets(redis, rate, burst)
        if redis is not None
        else SharedBuckets(engine, rate, burst)
        if engine is not None
        else None
    )
    return local if shared is None else LayeredBuckets(local, shared)


class GlobalBudget:
    """One budget for all uploads of all instances (the capacity guard).

    Each instance takes a *lease* of tokens from the shared bucket at once
    and spends it locally, so the shared key is written ``rate / lease``
    times a second in all instead of once per upload (one hot row or key
    would otherwise serialise every upload of every instance). A lease not
    spent within a second lapses, so idle instances do not hoard budget;
    instances together overshoot by at most one lease each."""

    KEY = "global:uploads"

    def __init__(self, shared: Shared | TokenBuckets, lease: int | None = None) -> None:
        self.shared = shared
        rate, burst = shared.rate, shared.burst
        self.lease = lease or max(1, min(burst // 10, int(rate / 20)))
        self._lock = threading.Lock()
        self._tokens, self._until = 0, 0.0

    def take(self, key: str = KEY, cost: float = 1.0) -> float:
        del cost  # one upload, one token
        if self.shared.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            if self._tokens > 0 and now < self._until:
                self._tokens -= 1
                return 0.0
        got = self.lease
        wait = self.shared.take(key, float(got))
        if wait > 0 and got > 1:  # less than a lease left: one token will do
            got, wait = 1, self.shared.take(key, 1.0)
        if wait > 0:
            return wait
        with self._lock:
            self._tokens, self._until = got - 1, now + 1.0
        return 0.0


def make_global_budget(
    engine: Engine | None, rate: float, burst: int, redis: Redis | None = None
) -> GlobalBudget:
    """The capacity guard through the same backend as the other limits."""
    shared: Shared | TokenBuckets = (
        RedisBuckets(redis, rate, burst)
        if redis is not None
        else SharedBuckets(engine, rate, burst)
        if engine is not None
        else TokenBuckets(rate, burst)
    )
    return GlobalBudget(shared)


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
