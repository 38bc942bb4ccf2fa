"""Per-provider API tokens, stored only as SHA-256 digests.

A token is 32 random bytes (URL-safe text, shown once at creation). Because
it is high-entropy, a plain SHA-256 is enough: there is nothing to brute-force,
unlike a password, and lookups stay one indexed equality. A token is revoked
(``homecare-collector token revoke``), never deleted, so the audit trail
keeps its digest.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, insert, select, update

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
    query; a revoked token therefore keeps working for at most *ttl*.

    Known tokens and unknown ones live in separate bounded caches: a client
    cycling through bogus tokens fills only the small negative cache (oldest
    entries go first) and never evicts the tokens real staff are using."""

    def __init__(
        self, engine: Engine, ttl: float = 30.0, size: int = 10_000, negative_size: int = 1_000
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._lock = threading.Lock()
        self._known: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._sizes = (size, negative_size)

    def cached(self, token: str) -> tuple[bool, Principal | None]:
        """(found in cache, principal) without touching the database, so the
        common case needs no trip to a worker thread."""
        key = digest(token)
        now = time.monotonic()
        hit = self._known.get(key)
        if hit and hit[0] > now:
            return True, hit[1]
        miss = self._unknown.get(key)
        if miss and miss > now:
            return True, None
        return False, None

    def lookup(self, token: str) -> Principal | None:
        found, principal = self.cached(token)
        if found:
            return principal
        key = digest(token)
        now = time.monotonic()
        stmt = select(tokens.c.role, tokens.c.provider).where(
            tokens.c.token_hash == key, tokens.c.revoked_at.is_(None)
        )
        with self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        principal = Principal(key, row[0], row[1]) if row else None
        with self._lock:
            if principal is None:
                self._unknown[key] = now + self._ttl
                while len(self._unknown) > self._sizes[1]:
                    self._unknown.popitem(last=False)
            else:
                self._known[key] = (now + self._ttl, principal)
                while len(self._known) > self._sizes[0]:
                    self._known.popitem(last=False)
        return principal


def revoke_token(engine: Engine, token_or_prefix: str) -> int:
    """Revoke a token given as the token itself or as a prefix (8+ hex digits)
    of its digest, as ``token list`` shows it; how many were revoked."""
    if token_or_prefix.startswith(PREFIX):
        condition = tokens.c.token_hash == digest(token_or_prefix)
    elif len(token_or_prefix) >= 8 and all(c in "0123456789abcdef" for c in token_or_prefix):
        condition = tokens.c.token_hash.startswith(token_or_prefix)
    else:
        raise ValueError("give the token or at least 8 hex digits of its digest")
    stmt = (
        update(tokens)
        .where(condition, tokens.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    with engine.begin() as conn:
        return int(conn.execute(stmt).rowcount)


def list_tokens(engine: Engine) -> list[dict[str, object]]:
    """Every token's digest prefix, role, provider and dates (never the token)."""
    stmt = select(
        tokens.c.token_hash,
        tokens.c.role,
        tokens.c.provider,
        tokens.c.created_at,
        tokens.c.revoked_at,
    ).order_by(tokens.c.id)
    with engine.connect() as conn:
        return [
            {**dict(r), "token_hash": str(r["token_hash"])[:12]}
            for r in conn.execute(stmt).mappings()
        ]
