"""The per-installation alert feed: ``POST /v1/installations/{id}/alerts`` (ingest
token; sent by a monitor only with the person's consent) and
``GET /v1/installations/{id}/alerts`` (support), so the provider can reach
out first. Only a finding code, the event, the segment and the time are
accepted: the body model forbids anything else."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from homecare.collector.alerts_db import alert_feed, insert_alert_event
from homecare.collector.api.deps import ApiError, charge, principal, read_limited, state

router = APIRouter()

_HEX32 = r"^[0-9a-f]{32}$"
MAX_ALERT_BODY = 2048


class AlertEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alert: str = Field(pattern=r"^[0-9a-f]{16}$", description="Keyed hash of the local alert id.")
    event: Literal["opened", "closed"]
    code: str = Field(pattern=r"^monitor\.[a-z_]+(\.[a-z_]+)*$", max_length=64)
    segment: (
        Literal["device", "wifi", "lan", "router", "provider", "internet", "unknown"] | None
    ) = None
    at: datetime


def _installation(installation_id: str) -> str:
    if not re.match(_HEX32, installation_id):
        raise ApiError(400, "not an installation id")
    return installation_id


@router.post("/v1/installations/{installation_id}/alerts")
async def post_alert(installation_id: str, request: Request) -> JSONResponse:
    st = state(request)
    who = await principal(request, {"ingest"})
    inst = _installation(installation_id)
    await charge(st.limits.installation, f"inst:{who.provider}:{inst}")
    body = await read_limited(request, MAX_ALERT_BODY)
    try:
        event = AlertEventIn.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        detail = str(exc).splitlines()[0][:200]
        return JSONResponse({"detail": "invalid alert event", "error": detail}, status_code=422)
    created = await run_in_threadpool(
        lambda: insert_alert_event(
            st.engine, provider=who.provider, installation_id=inst, alert_key=event.alert,
            event=event.event, code=event.code, segment=event.segment, at=event.at,
        )
    )  # fmt: skip
    return JSONResponse({"duplicate": not created}, status_code=201 if created else 200)


@router.get("/v1/installations/{installation_id}/alerts")
async def get_alerts(installation_id: str, request: Request) -> dict[str, Any]:
    st = state(request)
    who = await principal(request, {"support"})
    inst = _installation(installation_id)
    events = await run_in_threadpool(alert_feed, st.engine, who.provider, inst)
    return {
        "installation_id": inst,
        "events": [
            {"alert": e.alert_key, "event": e.event, "code": e.code, "segment": e.segment,
             "at": e.at.isoformat(), "received_at": e.received_at.isoformat()}
            for e in events
        ],
    }  # fmt: skip
