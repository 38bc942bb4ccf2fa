"""Upload payloads built directly (the collector depends on the payload schema only)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any


def installation(n: int | str) -> str:
    return hashlib.sha256(f"inst-{n}".encode()).hexdigest()[:32]


def payload(
    inst: int | str = 0,
    *,
    upload_id: str | None = None,
    band: str | None = "5GHz",
    tier: str | None = "fiber-100",
    vendor: str | None = "AVM",
    connection: str = "wifi",
    codes: tuple[str, ...] = ("wifi.signal.weak",),
    down: float | None = None,
    feedback: int | None = None,
    offer: str | None = None,
    taken: bool | None = None,
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "upload_id": upload_id or str(uuid.uuid4()),
        "installation_id": installation(inst),
        "created_at": "2026-05-01T12:30:00Z",
        "homecare_version": "0.1.0",
        "provider": "acme",
        "language": "en",
        "areas": ["wifi"],
        "cohort": {
            "plan_tier": tier,
            "plan_down_mbps": 100.0 if tier else None,
            "router_vendor": vendor,
            "connection_type": connection,
            "wifi_band": band,
        },
        "verdict": {"healthy": not codes, "segment": "wifi" if codes else None},
        "findings": [
            {"code": c, "severity": "warning", "segment": "wifi", "evidence": {"signal_dbm": -75}}
            for c in codes
        ],
        "network": {"gateway_rtt_ms": 3.5, "internet_rtt_ms": 21.0, "dns_ok": 2},
        "wifi": {"band": band, "channel": 36, "signal_dbm": -75} if band else None,
        "devices": [
            {
                "kind": "phone",
                "vendor": "Apple Inc.",
                "id": {"oui": "a4:83:e7", "id": "0123456789abcdef"},
            },
            {"kind": "router", "vendor": vendor, "is_gateway": True},
        ],
        "speeds": {"download_mbps": down, "upload_mbps": 20.0} if down is not None else None,
        "feedback_score": feedback,
        "offer": {"shown": offer, "taken": taken} if offer else None,
    }
