"""What every router shares: the app's state, errors, authentication and
bounded body reading."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from homecare.collector.ratelimit import TokenBuckets, retry_after_header
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import Principal, TokenCache


class ApiError(Exception):
    """An error answered as ``{"detail": ...}`` with *status* and *headers*."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


@dataclass
class AppState:
    """Everything the routers need, built once by ``create_app``."""

    settings: CollectorSettings
    engine: Engine
    auth: TokenCache
    buckets: TokenBuckets


def state(request: Request) -> AppState:
    found: AppState = request.app.state.collector
    return found


async def principal(request: Request, roles: set[str], limit: bool = False) -> Principal:
    """The caller behind the bearer token, checked against *roles*."""
    st = state(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    found, who = st.auth.cached(token.strip())
    if not found:
        who = await run_in_threadpool(st.auth.lookup, token.strip())
    if who is None:
        raise ApiError(401, "unknown token", {"WWW-Authenticate": "Bearer"})
    if who.role not in roles:
        raise ApiError(403, f"a {'/'.join(sorted(roles))} token is needed")
    if limit:
        wait = st.buckets.take(who.token_hash)
        if wait > 0:
            raise ApiError(429, "rate limit", {"Retry-After": retry_after_header(wait)})
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
