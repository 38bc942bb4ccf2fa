"""The collector's HTTP application (FastAPI): ``create_app`` wires the
routers of :mod:`homecare.collector.api` (and the web pages, sessions and
alert feeds added beside them) to one shared state.

The app holds no state of its own beyond caches and rate-limit buckets, so
instances can be added behind a load balancer in front of one PostgreSQL.
Adding a router: write ``api/<name>.py`` with a module-level ``router`` and
add one ``app.include_router(...)`` line below.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from homecare.collector import db, web
from homecare.collector.api import (
    alerts,
    health,
    insights,
    installations,
    results,
    sessions,
    uploads,
)
from homecare.collector.api.deps import ApiError, AppState, Limits
from homecare.collector.ratelimit import LimiterUnavailable, TokenBuckets
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import TokenCache

__all__ = ["ApiError", "create_app"]

_log = logging.getLogger("homecare.collector")


def create_app(settings: CollectorSettings, engine: Engine | None = None) -> FastAPI:
    """A ready app; the caller runs migrations first (see :mod:`.migrate`)."""
    engine = engine or db.make_engine(settings.database_url)
    app = FastAPI(title="homecare collector", version="1", docs_url=None, redoc_url=None)
    app.state.engine = engine
    app.state.collector = AppState(
        settings=settings,
        engine=engine,
        auth=TokenCache(engine, settings.token_cache_ttl_s),
        buckets=TokenBuckets(settings.rate_per_s, settings.burst),
        limits=Limits.from_settings(settings, engine),
        inflight=asyncio.Semaphore(settings.max_inflight_uploads),
        defer_rollups=settings.defer_rollups and engine.dialect.name == "postgresql",
    )
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(LimiterUnavailable, _limits_down)  # type: ignore[arg-type]
    app.include_router(health.router)
    app.include_router(uploads.router)
    app.include_router(installations.router)
    app.include_router(results.router)
    app.include_router(insights.router)
    app.include_router(sessions.router)
    app.include_router(alerts.router)
    web.install(app)  # the desk, the console and their login page
    return app


async def _limits_down(_request: Request, exc: LimiterUnavailable) -> JSONResponse:
    """Redis gone: closed (503, clients retry from their spool), never unlimited."""
    _log.error("%s", exc)
    return JSONResponse(
        {"detail": "rate limits unavailable"}, status_code=503, headers={"Retry-After": "5"}
    )


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)
