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
    # -- limits (docs/collector.md, "Rate limits"); rate_per_s/burst above are
    # per installation. A rate of 0 turns that limit off.
    #: uploads per source address (IPv6: per /64); many homes can share a NAT
    source_rate_per_s: float = 20.0
    source_burst: int = 300
    #: what an invalid request (bad body, unknown token) costs its source
    invalid_cost: float = 5.0
    #: failed logins (unknown or revoked tokens) per source address
    auth_fail_rate_per_s: float = 0.2
    auth_fail_burst: int = 20
    #: support-code lookups and insights queries per support/analyst token
    lookup_rate_per_s: float = 1.0
    lookup_burst: int = 60
    insights_rate_per_s: float = 0.5
    insights_burst: int = 20
    #: buckets in the database (shared by instances) or in process only
    shared_limits: bool = True
    #: keep the shared buckets in Redis instead of the database (None: the
    #: database); when Redis cannot be reached, limited requests get 503
    redis_url: str | None = None
    #: the global capacity guard: uploads/s of all instances together (0: off)
    global_upload_rate_per_s: float = 1000.0
    global_upload_burst: int = 2000
    #: PostgreSQL: refresh roll-ups in a folder apart from the upload's
    #: transaction (homecare.collector.rollup_queue), not inline
    defer_rollups: bool = True
    #: uploads handled at once by this instance; beyond it 503 + Retry-After
    max_inflight_uploads: int = 256
    #: proxies whose X-Forwarded-For is believed (addresses or networks)
    trusted_proxies: tuple[str, ...] = ()
    #: sybil defence: a cohort needs k distinct sender networks of this size
    sybil_v4_prefix: int = 24
    sybil_v6_prefix: int = 48
    # -- the HTTP server (homecare.collector.server)
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    limit_concurrency: int = 2000
    graceful_timeout_s: float = 30.0
    #: signs desk/console session cookies; set the same value on every instance
    #: behind one load balancer (None: a random key per process)
    session_secret: str | None = None
    #: provider guidance folders (as HOMECARE_CATALOGUE_DIR on the customers'
    #: machines), so the desk shows the advice the customer actually saw
    catalogue_dirs: tuple[str, ...] = ()
