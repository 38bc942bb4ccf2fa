"""Technicians' sessions: ``POST /v1/sessions`` (ingest token; signed by a key
the provider registered with ``homecare-collector technicians add``),
``GET /v1/sessions/{support_code}`` and ``GET /v1/sessions?job_id=`` (support)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from homecare.collector.api.deps import ApiError, principal, read_limited, state
from homecare.collector.session_view import session_view
from homecare.collector.sessions_db import (
    find_sessions_by_code,
    find_sessions_by_job,
    insert_session,
    technician_for,
)
from homecare.session.report import verify_signed
from homecare.session.upload import SignedSessionUpload
from homecare.share.support_code import InvalidSupportCode, from_upload_id, parse

router = APIRouter()


@router.post("/v1/sessions")
async def upload_session(request: Request) -> JSONResponse:
    st = state(request)
    who = await principal(request, {"ingest"}, limit=True)
    body = await read_limited(request, st.settings.max_body_bytes)
    try:
        doc = json.loads(body)
        signed = SignedSessionUpload.model_validate(doc)
    except (ValueError, ValidationError) as exc:
        detail = str(exc).splitlines()[0][:200]
        return JSONResponse({"detail": "invalid session", "error": detail}, status_code=422)
    checked = verify_signed(doc)
    if not checked.ok or checked.public_key is None:
        raise ApiError(400, "signature does not match: " + "; ".join(checked.problems))
    technician = await run_in_threadpool(
        technician_for, st.engine, who.provider, checked.public_key
    )
    if technician is None:
        raise ApiError(403, "signed by a key this provider has not registered")
    upload = signed.upload.model_dump(mode="json")
    code = from_upload_id(signed.upload.upload_id)
    created = await run_in_threadpool(
        lambda: insert_session(
            st.engine, provider=who.provider, upload=upload, support_code=code,
            technician=technician, document_json=json.dumps(doc, sort_keys=True),
        )
    )  # fmt: skip
    return JSONResponse(
        {"id": signed.upload.upload_id, "support_code": code, "duplicate": not created},
        status_code=201 if created else 200,
    )


@router.get("/v1/sessions/{support_code}")
async def session_by_code(support_code: str, request: Request) -> dict[str, Any]:
    st = state(request)
    who = await principal(request, {"support"})
    try:
        code = parse(support_code)
    except InvalidSupportCode:
        raise ApiError(400, "not a valid support code (check the characters)") from None
    found = await run_in_threadpool(find_sessions_by_code, st.engine, who.provider, code)
    if not found:
        raise ApiError(404, "no session with this code")
    return await run_in_threadpool(session_view, st.engine, found[0])


@router.get("/v1/sessions")
async def sessions_by_job(job_id: str, request: Request) -> dict[str, Any]:
    st = state(request)
    who = await principal(request, {"support"})
    found = await run_in_threadpool(find_sessions_by_job, st.engine, who.provider, job_id)
    return {
        "job_id": job_id,
        "sessions": [
            {"support_code": s.support_code, "received_at": s.received_at.isoformat(),
             "status": s.document["upload"]["status"], "technician": s.technician}
            for s in found
        ],
    }  # fmt: skip
