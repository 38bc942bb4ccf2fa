"""``POST /v1/uploads``: ingest one anonymized check (ingest token)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from homecare.collector import db
from homecare.collector.api.deps import principal, read_limited, state
from homecare.share.payload import UploadPayload
from homecare.share.support_code import from_upload_id

router = APIRouter()


@router.post("/v1/uploads")
async def upload(request: Request) -> JSONResponse:
    st = state(request)
    who = await principal(request, {"ingest"}, limit=True)
    body = await read_limited(request, st.settings.max_body_bytes)
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
        st.engine,
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
