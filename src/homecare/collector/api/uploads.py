"""``POST /v1/uploads``: ingest one anonymized check (ingest token).

The ingest token is public, so it identifies the provider, not a customer.
Limits, cheapest first: the source address is charged before anything is
read; an invalid body (or an unknown token, see :mod:`.deps`) costs its
source ``invalid_cost`` more; only a valid upload is charged to its
installation. A flood from one address or one installation therefore never
takes another customer's budget. The capacity guard refuses with 503 when
this instance already handles ``max_inflight_uploads``, and when all
instances together are over ``global_upload_rate_per_s``.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from homecare.collector import db
from homecare.collector.api.deps import (
    ApiError,
    charge,
    charge_capacity,
    principal,
    read_limited,
    source_of,
    state,
)
from homecare.collector.rescrub import Refused, rescrub
from homecare.collector.rollup_queue import fold_after_write
from homecare.collector.sources import network_of, rate_key
from homecare.share.payload import UploadPayload
from homecare.share.support_code import from_upload_id

router = APIRouter()


@router.post("/v1/uploads")
async def upload(request: Request) -> JSONResponse:
    st = state(request)
    if st.inflight.locked():
        raise ApiError(503, "collector at capacity", {"Retry-After": "5"})
    async with st.inflight:
        return await _upload(request)


async def _upload(request: Request) -> JSONResponse:
    st = state(request)
    source = source_of(request)
    source_key = f"src:{rate_key(source)}"
    await charge(st.limits.source, source_key)
    who = await principal(request, {"ingest"})
    body = await read_limited(request, st.settings.max_body_bytes)
    try:
        payload = UploadPayload.model_validate_json(body)
        cleaned = rescrub(payload.model_dump(mode="json"))
    except (ValidationError, Refused) as exc:
        await charge(st.limits.source, source_key, st.settings.invalid_cost)
        errors: list[dict[str, object]] = (
            [{"loc": [], "msg": str(exc)}]
            if isinstance(exc, Refused)
            else [
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)[:5]
            ]
        )
        return JSONResponse({"detail": "invalid payload", "errors": errors}, status_code=422)
    await charge(st.limits.installation, f"inst:{who.provider}:{payload.installation_id}")
    # after validation: the guard protects the shared database, which only a
    # valid upload writes to (an invalid one is refused by its source's bucket)
    await charge_capacity(st.limits.global_uploads)
    code = from_upload_id(payload.upload_id)
    created = await run_in_threadpool(
        db.insert_upload,
        st.engine,
        upload_id=payload.upload_id,
        provider=who.provider,
        installation_id=payload.installation_id,
        support_code=code,
        created_at=payload.created_at,
        # rescrub only removes or blanks values, so the cleaned dict is still a valid payload
        payload_json=json.dumps(cleaned, separators=(",", ":"), allow_nan=False),
        payload=cleaned,
        source_net=network_of(source, st.settings.sybil_v4_prefix, st.settings.sybil_v6_prefix),
        defer_rollups=st.defer_rollups,
    )
    if created and st.defer_rollups:
        await run_in_threadpool(fold_after_write, st.engine)
    return JSONResponse(
        {"id": payload.upload_id, "support_code": code, "duplicate": not created},
        status_code=201 if created else 200,
    )
