"""``DELETE /v1/installations/{id}``: a customer's erasure (ingest token)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from homecare.collector import db
from homecare.collector.api.deps import principal, state

router = APIRouter()


@router.delete("/v1/installations/{installation_id}")
async def forget(installation_id: str, request: Request) -> dict[str, int]:
    st = state(request)
    who = await principal(request, {"ingest"}, limit=True)
    deleted = await run_in_threadpool(
        db.delete_installation, st.engine, who.provider, installation_id
    )
    return {"deleted": deleted}
