"""Collector settings, one frozen value passed to the app factory (no globals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CollectorSettings:
    database_url: str
    max_body_bytes: int = 512 * 1024
    rate_per_s: float = 5.0
    burst: int = 60
    min_k: int = 10
    token_cache_ttl_s: float = 30.0
    #: signs desk/console session cookies; set the same value on every instance
    #: behind one load balancer (None: a random key per process)
    session_secret: str | None = None
