"""``DELETE /v1/installations/{id}``: a customer's erasure (ingest token).

Charged to the source and to the installation like an upload, so erasures
cannot be used to flood either. Removes the installation's uploads,
technician sessions and alert events (:mod:`homecare.collector.erasure`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from homecare.collector.api.deps import charge, principal, source_of, state
from homecare.collector.erasure import erase_installation
from homecare.collector.rollup_queue import fold_after_write
from homecare.collector.sources import rate_key

router = APIRouter()


@router.delete("/v1/installations/{installation_id}")
async def forget(installation_id: str, request: Request) -> dict[str, int]:
    st = state(request)
    await charge(st.limits.source, f"src:{rate_key(source_of(request))}")
    who = await principal(request, {"ingest"})
    await charge(st.limits.installation, f"inst:{who.provider}:{installation_id[:64]}")
    erased = await run_in_threadpool(
        erase_installation, st.engine, who.provider, installation_id, st.defer_rollups
    )
    if st.defer_rollups:
        await run_in_threadpool(fold_after_write, st.engine)
    return {
        "deleted": erased.uploads,
        "sessions": erased.sessions,
        "alert_events": erased.alert_events,
    }
