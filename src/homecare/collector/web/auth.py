"""Browser sessions for the desk and the console: a signed cookie, CSRF tokens.

The cookie holds the digest of the token the person logged in with (never the
token), its role and provider, the page language and a CSRF secret, signed
with the instance's session key (itsdangerous). Every request checks the
digest against the tokens table again (cached briefly), so a removed token
ends its sessions within the cache time. Forms carry the CSRF secret from the
session and are refused without it; the cookie is also ``SameSite=Strict``
and ``HttpOnly``.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, select

from homecare.collector.db import tokens
from homecare.collector.tokens import Principal

COOKIE = "homecare_session"
PRE_COOKIE = "homecare_login"
SESSION_MAX_AGE_S = 8 * 3600
LANGUAGES = ("en", "es", "de")


class WebError(Exception):
    """A page request refused: 401 sends the browser to the login page."""

    def __init__(self, status: int, message: str, **params: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message  # English, marked with N_; translated on the page
        self.params = params


@dataclass(frozen=True)
class WebSession:
    token_hash: str
    role: str
    provider: str
    language: str
    csrf: str

    @property
    def agent(self) -> str:
        """A short, stable name for the person in logs (not the token)."""
        return self.token_hash[:12]


class SessionCodec:
    """Signs and reads the session and pre-login cookies."""

    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="homecare-web-session")
        self._pre = URLSafeTimedSerializer(secret, salt="homecare-web-login")

    def dump(self, session: WebSession) -> str:
        return self._serializer.dumps(
            {
                "t": session.token_hash,
                "r": session.role,
                "p": session.provider,
                "l": session.language,
                "c": session.csrf,
            }
        )

    def load(self, raw: str | None) -> WebSession | None:
        if not raw:
            return None
        try:
            data: Any = self._serializer.loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        try:
            return WebSession(
                str(data["t"]),
                str(data["r"]),
                str(data["p"]),
                pick_language(str(data["l"])),
                str(data["c"]),
            )
        except KeyError:
            return None

    def dump_pre(self, csrf: str, language: str) -> str:
        return self._pre.dumps({"c": csrf, "l": language})

    def load_pre(self, raw: str | None) -> tuple[str, str] | None:
        if not raw:
            return None
        try:
            data: Any = self._pre.loads(raw, max_age=3600)
        except BadSignature:
            return None
        if not isinstance(data, dict) or "c" not in data:
            return None
        return str(data["c"]), pick_language(str(data.get("l", "en")))


def new_session(who: Principal, language: str) -> WebSession:
    return WebSession(
        who.token_hash, who.role, who.provider, pick_language(language), secrets.token_urlsafe(24)
    )


def with_language(session: WebSession, language: str) -> WebSession:
    return replace(session, language=pick_language(language))


def pick_language(language: str | None) -> str:
    lang = (language or "en").split("-")[0].split("_")[0].lower()
    return lang if lang in LANGUAGES else "en"


def language_from_header(accept_language: str | None) -> str:
    """The first shipped language in an Accept-Language header, else English."""
    for part in (accept_language or "").split(","):
        lang = pick_language(part.split(";")[0].strip())
        if part.strip().lower().startswith(lang):
            return lang
    return "en"


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class HashLookup:
    """Token digests (from session cookies) to principals, cached for *ttl*
    seconds per instance; a revoked or deleted token ends its sessions."""

    def __init__(self, engine: Engine, ttl: float) -> None:
        self._engine = engine
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    def by_hash(self, token_hash: str) -> Principal | None:
        now = time.monotonic()
        hit = self._cache.get(token_hash)
        if hit and hit[0] > now:
            return hit[1]
        stmt = select(tokens.c.role, tokens.c.provider).where(
            tokens.c.token_hash == token_hash, tokens.c.revoked_at.is_(None)
        )
        with self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        who = Principal(token_hash, row[0], row[1]) if row else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token_hash] = (now + self._ttl, who)
        return who


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
