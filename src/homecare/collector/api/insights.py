"""``GET /v1/insights``: k-anonymous cohort insights (support or analyst token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from homecare.collector import db
from homecare.collector.api.deps import principal, state
from homecare.collector.insights import compute_insights

router = APIRouter()


@router.get("/v1/insights")
async def insights(request: Request, k: int = 10) -> dict[str, Any]:
    st = state(request)
    who = await principal(request, {"support", "analyst"})
    k = max(k, st.settings.min_k)

    def run() -> dict[str, Any]:
        return compute_insights(db.iter_payloads(st.engine, who.provider), k)

    return await run_in_threadpool(run)
