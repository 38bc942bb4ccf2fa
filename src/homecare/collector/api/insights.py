"""``GET /v1/insights``: k-anonymous cohort insights (support or analyst token).

Query parameters: ``k`` (raised to the configured minimum) and the cohort
filters of :class:`homecare.collector.queries.Filters`. Limited per token
and audited, because each call is a heavy query."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from homecare.collector import audit
from homecare.collector.api.deps import ApiError, charge, principal, source_of, state
from homecare.collector.queries import BadFilter, Filters, cohort_insights
from homecare.collector.rollup_queue import fold_all

router = APIRouter()


@router.get("/v1/insights")
async def insights(request: Request, k: int = 10) -> dict[str, Any]:
    st = state(request)
    who = await principal(request, {"support", "analyst"})
    await charge(st.limits.insights, f"insights:{who.token_hash}", what="too many insights queries")
    try:
        filters = Filters.from_params(request.query_params)
    except BadFilter as exc:
        raise ApiError(400, str(exc)) from None
    k = max(k, st.settings.min_k)
    await run_in_threadpool(
        audit.record,
        st.engine,
        "insights.query",
        provider=who.provider,
        actor=who.token_hash,
        source=source_of(request),
        detail=" ".join(f"{a}={b}" for a, b in filters.as_dict().items()),
    )
    await run_in_threadpool(fold_all, st.engine)  # the roll-ups include every stored upload
    return await run_in_threadpool(cohort_insights, st.engine, who.provider, filters, k)
