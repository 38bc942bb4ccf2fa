"""The columns insights group and filter by, taken from a stored payload.

One function for both the ingest path and the migration that backfills old
rows, so a column means the same thing whichever way it was filled. Every
value is either a closed vocabulary from the payload model, a number, or
``None``; the free-form JSON stays in ``uploads.payload`` for the support desk.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

#: The columns shared by uploads, upload_findings and upload_devices, so a
#: cohort filter is the same WHERE clause on each of them.
DIMENSIONS = ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band")


@dataclass(frozen=True)
class Extracted:
    """One upload's extracted columns and its child rows."""

    columns: dict[str, Any]
    finding_codes: list[str] = field(default_factory=list)
    devices: list[tuple[str, str | None]] = field(default_factory=list)

    def shared(self) -> dict[str, Any]:
        """The columns copied into child rows (dimensions, time, feedback)."""
        keys = (
            *DIMENSIONS,
            "created_at",
            "week",
            "hour",
            "source_net",
            "feedback_score",
            "inst_key",
            "net_key",
        )
        return {key: self.columns[key] for key in keys}


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        found = value
    else:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def week_of(moment: datetime) -> date:
    """The Monday (UTC) of the week *moment* falls in: the trend's x axis."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


#: beyond this a speed (Mbit/s) or a percentage is a made-up number, and a sum
#: of a few of them would overflow to infinity in SQL aggregates
PLAUSIBLE_MAX = 1_000_000.0


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) <= PLAUSIBLE_MAX else None


def _short(value: Any, limit: int = 64) -> str | None:
    return None if value is None else str(value)[:limit]


def key_of(*parts: str) -> int:
    """A signed 64-bit key for an installation or a network.

    Distinct counts over millions of rows are an order of magnitude faster on
    an integer than on a text id (no collation, fixed width); 64 bits make a
    collision among a provider's installations vanishingly unlikely
    (about 1e-9 at a million)."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def extract(
    payload: dict[str, Any], source_net: str | None = None, provider: str = ""
) -> Extracted:
    """The extracted row of *payload* (a validated, re-scrubbed upload)."""
    cohort = payload.get("cohort") or {}
    verdict = payload.get("verdict") or {}
    speeds = payload.get("speeds") or {}
    offer = payload.get("offer") or {}
    created = parse_time(payload["created_at"])
    down = _finite(speeds.get("download_mbps"))
    plan_down = _finite(cohort.get("plan_down_mbps"))
    columns = {
        "plan_tier": _short(cohort.get("plan_tier")),
        "plan_down_mbps": plan_down,
        "router_vendor": _short(cohort.get("router_vendor")),
        "router_model": _short(cohort.get("router_model")),
        "connection_type": _short(cohort.get("connection_type"), 16),
        "wifi_band": _short(cohort.get("wifi_band"), 8),
        "os_family": _short(cohort.get("os_family"), 16),
        "healthy": bool(verdict.get("healthy")),
        "segment": _short(verdict.get("segment"), 16),
        "download_mbps": down,
        "upload_mbps": _finite(speeds.get("upload_mbps")),
        # a huge speed over a tiny plan overflows to infinity: keep it out of the medians
        "down_pct_of_plan": _finite(100.0 * down / plan_down)
        if down is not None and plan_down
        else None,
        "feedback_score": payload.get("feedback_score"),
        "offer_shown": _short(offer.get("shown")),
        "offer_taken": offer.get("taken") if offer.get("shown") else None,
        "created_at": created,
        "week": week_of(created),
        "hour": created.astimezone(UTC).hour,
        "source_net": source_net,
        "inst_key": key_of(provider, str(payload["installation_id"])),
        "net_key": key_of(source_net or ""),
    }
    codes = sorted({str(f["code"])[:120] for f in payload.get("findings") or []})
    devices = sorted(
        {
            (str(d.get("kind") or "unknown")[:20], _short(d.get("vendor")))
            for d in payload.get("devices") or []
        },
        key=lambda item: (item[0], item[1] or ""),
    )
    return Extracted(columns, codes, devices)
