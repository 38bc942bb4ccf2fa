"""What every router shares: the app's state, errors, authentication, limits
and bounded body reading.

Order of work for a request, cheapest refusal first: the source's failed-login
bucket (an address that keeps presenting bad tokens is refused before any
lookup), the token (cached), then the route's own limit. Unknown tokens are
charged to the source and audited; the token cache keeps unknown tokens in a
separate small cache, so many bogus tokens cannot flush the good ones.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from homecare.collector import audit
from homecare.collector.ratelimit import (
    GlobalBudget,
    Limiter,
    LimiterUnavailable,
    TokenBuckets,
    connect_redis,
    make_global_budget,
    make_limiter,
    retry_after_header,
)
from homecare.collector.settings import CollectorSettings
from homecare.collector.sources import client_address, rate_key
from homecare.collector.tokens import Principal, TokenCache

_log = logging.getLogger("homecare.collector")


class ApiError(Exception):
    """An error answered as ``{"detail": ...}`` with *status* and *headers*."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


@dataclass
class Limits:
    """The buckets, by what they are keyed on (never the public ingest token)."""

    installation: Limiter
    source: Limiter
    auth_fail: Limiter
    lookup: Limiter
    insights: Limiter
    #: the global capacity guard (uploads of all instances together)
    global_uploads: GlobalBudget

    @classmethod
    def from_settings(cls, s: CollectorSettings, engine: Engine) -> Limits:
        """Shared through Redis when ``redis_url`` is set (checked now: a
        Redis that cannot be reached fails the start, in one line), else
        through the database, else (``shared_limits`` off) in process."""
        shared = engine if s.shared_limits else None
        redis = connect_redis(s.redis_url) if s.redis_url and s.shared_limits else None
        return cls(
            installation=make_limiter(shared, s.rate_per_s, s.burst, redis),
            source=make_limiter(shared, s.source_rate_per_s, s.source_burst, redis),
            auth_fail=make_limiter(shared, s.auth_fail_rate_per_s, s.auth_fail_burst, redis),
            lookup=make_limiter(shared, s.lookup_rate_per_s, s.lookup_burst, redis),
            insights=make_limiter(shared, s.insights_rate_per_s, s.insights_burst, redis),
            global_uploads=make_global_budget(
                shared, s.global_upload_rate_per_s, s.global_upload_burst, redis
            ),
        )


@dataclass
class AppState:
    """Everything the routers need, built once by ``create_app``."""

    settings: CollectorSettings
    engine: Engine
    auth: TokenCache
    buckets: TokenBuckets
    limits: Limits
    #: the global capacity guard: uploads in progress on this instance
    inflight: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(256))
    #: roll-ups folded after the upload's commit (rollup_queue), not inline
    defer_rollups: bool = False


def state(request: Request) -> AppState:
    found: AppState = request.app.state.collector
    return found


def source_of(request: Request) -> str:
    """The sender's address (through trusted proxies only)."""
    peer = request.client.host if request.client else None
    return client_address(
        peer, request.headers.get("x-forwarded-for"), state(request).settings.trusted_proxies
    )


async def charge(limiter: Limiter, key: str, cost: float = 1.0, what: str = "rate limit") -> None:
    """Take *cost* from *key*'s bucket or refuse with 429 and Retry-After;
    503 when the shared backend (Redis) is down: closed, never unlimited."""
    try:
        wait = await run_in_threadpool(limiter.take, key, cost)
    except LimiterUnavailable as exc:
        _log.error("%s", exc)
        raise ApiError(503, "rate limits unavailable", {"Retry-After": "5"}) from None
    if wait > 0:
        raise ApiError(429, what, {"Retry-After": retry_after_header(wait)})


async def charge_capacity(limiter: GlobalBudget) -> None:
    """Take one upload from the global budget or refuse with 503 and Retry-After."""
    try:
        wait = await run_in_threadpool(limiter.take)
    except LimiterUnavailable as exc:
        _log.error("%s", exc)
        raise ApiError(503, "rate limits unavailable", {"Retry-After": "5"}) from None
    if wait > 0:
        raise ApiError(503, "collector at capacity", {"Retry-After": retry_after_header(wait)})


async def principal(request: Request, roles: set[str], limit: bool = False) -> Principal:
    """The caller behind the bearer token, checked against *roles*.

    *limit* is accepted for compatibility and ignored: routes charge their own
    keys (installation, source, token) with :func:`charge`."""
    del limit
    st = state(request)
    source = source_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    found, who = st.auth.cached(token)
    if not found:
        # a source that keeps failing is refused before its tokens are looked up
        await charge(
            st.limits.auth_fail, f"authfail:{rate_key(source)}", 0.0, "too many failed logins"
        )
        who = await run_in_threadpool(st.auth.lookup, token)
    if who is None:
        await run_in_threadpool(
            audit.record, st.engine, "login.failed", source=source, detail=request.url.path[:60]
        )
        await charge(
            st.limits.auth_fail, f"authfail:{rate_key(source)}", 1.0, "too many failed logins"
        )
        raise ApiError(401, "unknown token", {"WWW-Authenticate": "Bearer"})
    if who.role not in roles:
        raise ApiError(403, f"a {'/'.join(sorted(roles))} token is needed")
    return who


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing with 413 as soon as it exceeds *limit*:
    from Content-Length before reading, or while streaming (chunked bodies)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "bad Content-Length")
        if int(declared) > limit:
            raise ApiError(413, f"body larger than {limit} bytes", {"Connection": "close"})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"body larger than {limit} bytes", {"Connection": "close"})
        chunks.append(chunk)
    return b"".join(chunks)
