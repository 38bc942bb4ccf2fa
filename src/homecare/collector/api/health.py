"""``GET /healthz``: answered without touching the database, so a load
balancer's probe stays cheap and cannot be slowed by a busy pool."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
