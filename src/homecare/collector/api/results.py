"""``GET /v1/results/{support_code}``: the support desk's lookup (support token).

Limited per support token (a leaked token cannot walk the code space fast)
and every lookup is audited with its outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from homecare.collector import audit, db
from homecare.collector.api.deps import ApiError, charge, principal, source_of, state
from homecare.share.support_code import InvalidSupportCode, parse

router = APIRouter()


@router.get("/v1/results/{support_code}")
async def result(support_code: str, request: Request) -> dict[str, Any]:
    st = state(request)
    who = await principal(request, {"support"})
    await charge(st.limits.lookup, f"lookup:{who.token_hash}", what="too many lookups")
    try:
        code = parse(support_code)
    except InvalidSupportCode:
        raise ApiError(400, "not a valid support code (check the characters)") from None
    found = await run_in_threadpool(db.find_by_code, st.engine, who.provider, code)
    await run_in_threadpool(
        audit.record,
        st.engine,
        "support.lookup",
        provider=who.provider,
        actor=who.token_hash,
        source=source_of(request),
        detail=f"{code} {'found' if found else 'not found'}",
    )
    if not found:
        raise ApiError(404, "no result with this code")
    first = found[0]
    return {
        "support_code": code,
        "received_at": first.received_at.isoformat(),
        "matches": len(found),
        "payload": first.payload,
    }
