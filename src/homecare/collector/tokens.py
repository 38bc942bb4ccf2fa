"""Per-provider API tokens, stored only as SHA-256 digests.

A token is 32 random bytes (URL-safe text, shown once at creation). Because
it is high-entropy, a plain SHA-256 is enough: there is nothing to brute-force,
unlike a password, and lookups stay one indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, insert, select

from homecare.collector.db import tokens

Role = Literal["ingest", "support", "analyst"]
ROLES: tuple[Role, ...] = ("ingest", "support", "analyst")
PREFIX = "hct_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the provider a token belongs to and what it may do."""

    token_hash: str
    role: str
    provider: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, role: Role, provider: str) -> str:
    """Store a new token's digest and return the token (the only time it exists)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    token = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(tokens).values(
                token_hash=digest(token), role=role, provider=provider, created_at=datetime.now(UTC)
            )
        )
    return token


class TokenCache:
    """Token lookups cached for *ttl* seconds, so each request does not cost a
    query; a deleted token therefore keeps working for at most *ttl*."""

    def __init__(self, engine: Engine, ttl: float = 30.0) -> None:
        self._engine = engine
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    def cached(self, token: str) -> tuple[bool, Principal | None]:
        """(found in cache, principal) without touching the database, so the
        common case needs no trip to a worker thread."""
        hit = self._cache.get(digest(token))
        if hit and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def lookup(self, token: str) -> Principal | None:
        found, principal = self.cached(token)
        if found:
            return principal
        key = digest(token)
        now = time.monotonic()
        stmt = select(tokens.c.role, tokens.c.provider).where(tokens.c.token_hash == key)
        with self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        principal = Principal(key, row[0], row[1]) if row else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now + self._ttl, principal)
        return principal
