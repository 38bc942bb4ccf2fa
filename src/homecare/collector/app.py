"""The collector's HTTP API (FastAPI).

Endpoints: ``POST /v1/uploads`` (ingest), ``DELETE /v1/installations/{id}``
(ingest), ``GET /v1/results/{support_code}`` (support), ``GET /v1/insights``
(support, analyst), ``GET /healthz``. The app holds no state of its own
beyond caches and per-instance rate-limit buckets, so instances can be added
behind a load balancer in front of one PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from homecare.collector import db
from homecare.collector.insights import compute_insights
from homecare.collector.ratelimit import TokenBuckets, retry_after_header
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import Principal, TokenCache
from homecare.share.payload import UploadPayload
from homecare.share.support_code import InvalidSupportCode, from_upload_id, parse


class ApiError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def create_app(settings: CollectorSettings, engine: Engine | None = None) -> FastAPI:
    """A ready app; the caller runs migrations first (see :mod:`.migrate`)."""
    engine = engine or db.make_engine(settings.database_url)
    auth = TokenCache(engine, settings.token_cache_ttl_s)
    buckets = TokenBuckets(settings.rate_per_s, settings.burst)
    app = FastAPI(title="homecare collector", version="1", docs_url=None, redoc_url=None)
    app.state.engine = engine

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    async def principal(request: Request, roles: set[str], limit: bool = False) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
        found, who = auth.cached(token.strip())
        if not found:
            who = await run_in_threadpool(auth.lookup, token.strip())
        if who is None:
            raise ApiError(401, "unknown token", {"WWW-Authenticate": "Bearer"})
        if who.role not in roles:
            raise ApiError(403, f"a {'/'.join(sorted(roles))} token is needed")
        if limit:
            wait = buckets.take(who.token_hash)
            if wait > 0:
                raise ApiError(429, "rate limit", {"Retry-After": retry_after_header(wait)})
        return who

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/uploads")
    async def upload(request: Request) -> JSONResponse:
        who = await principal(request, {"ingest"}, limit=True)
        body = await read_limited(request, settings.max_body_bytes)
        try:
            payload = UploadPayload.model_validate_json(body)
        except ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)[:5]
            ]
            return JSONResponse({"detail": "invalid payload", "errors": errors}, status_code=422)
        code = from_upload_id(payload.upload_id)
        created = await run_in_threadpool(
            db.insert_upload,
            engine,
            upload_id=payload.upload_id,
            provider=who.provider,
            installation_id=payload.installation_id,
            support_code=code,
            created_at=payload.created_at,
            payload_json=payload.model_dump_json(),
        )
        return JSONResponse(
            {"id": payload.upload_id, "support_code": code, "duplicate": not created},
            status_code=201 if created else 200,
        )

    @app.delete("/v1/installations/{installation_id}")
    async def forget(installation_id: str, request: Request) -> dict[str, int]:
        who = await principal(request, {"ingest"}, limit=True)
        deleted = await run_in_threadpool(
            db.delete_installation, engine, who.provider, installation_id
        )
        return {"deleted": deleted}

    @app.get("/v1/results/{support_code}")
    async def result(support_code: str, request: Request) -> dict[str, Any]:
        who = await principal(request, {"support"})
        try:
            code = parse(support_code)
        except InvalidSupportCode:
            raise ApiError(400, "not a valid support code (check the characters)") from None
        found = await run_in_threadpool(db.find_by_code, engine, who.provider, code)
        if not found:
            raise ApiError(404, "no result with this code")
        first = found[0]
        return {
            "support_code": code,
            "received_at": first.received_at.isoformat(),
            "matches": len(found),
            "payload": first.payload,
        }

    @app.get("/v1/insights")
    async def insights(request: Request, k: int = settings.min_k) -> dict[str, Any]:
        who = await principal(request, {"support", "analyst"})
        k = max(k, settings.min_k)

        def run() -> dict[str, Any]:
            return compute_insights(db.iter_payloads(engine, who.provider), k)

        return await run_in_threadpool(run)

    return app


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
