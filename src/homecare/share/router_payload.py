"""The router and its line, as they may leave the machine.

Line figures and counters are cohort data (how do VDSL lines of this
exchange area behave, which router models resync most); the router's host
list, MACs, SSIDs, host names, addresses and its external IP are not, and
no field here can carry them: numbers, closed vocabularies, and the
vendor/model reduced to a short label that must not look like an address.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from homecare.models import Report
from homecare.models.router import RouterData

_LABEL = r"^[A-Za-z0-9!_.+/ -]{1,48}$"
_LABEL_OK = re.compile(r"[^A-Za-z0-9!_.+/ -]")
_ADDRESSY = re.compile(r"([0-9a-fA-F]{2}[:-]){2,}|\d{1,3}(\.\d{1,3}){3}|@|https?")
Count = Annotated[int, Field(ge=0, lt=10**12)]
Kbit = Annotated[int, Field(ge=0, lt=100_000_000)]
Db = Annotated[float, Field(ge=-100, le=200, allow_inf_nan=False)]
Mbit = Annotated[float, Field(ge=0, lt=1_000_000, allow_inf_nan=False)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RouterOut(_Out):
    """Which router, read how, and its load figures."""

    vendor: str | None = Field(default=None, pattern=_LABEL)
    model: str | None = Field(default=None, pattern=_LABEL)
    source: Literal["igd", "tr064", "ubus", "local"]
    uptime_h: float | None = Field(default=None, ge=0, lt=100_000, description="Rounded to 0.1 h.")
    clients: Count = 0
    wifi_clients: Count = 0
    weak_wifi_clients: Count = 0
    wan_down_mbit: Mbit | None = None
    wan_up_mbit: Mbit | None = None
    speed_test_other_down_mbit: Mbit | None = None
    speed_test_other_up_mbit: Mbit | None = None


class LineOut(_Out):
    """The access line's figures, as the router reports them."""

    type: Literal["adsl", "vdsl", "dsl", "fibre", "cable", "ethernet", "mobile", "unknown"]
    sync_down_kbit: Kbit | None = None
    sync_up_kbit: Kbit | None = None
    attainable_down_kbit: Kbit | None = None
    attainable_up_kbit: Kbit | None = None
    noise_margin_down_db: Db | None = None
    noise_margin_up_db: Db | None = None
    attenuation_down_db: Db | None = None
    attenuation_up_db: Db | None = None
    crc_errors: Count | None = None
    fec_errors: Count | None = None
    errored_seconds: Count | None = None
    severely_errored_seconds: Count | None = None
    retrains: Count | None = None
    log_resyncs: Count | None = None


def label(value: str | None) -> str | None:
    """A vendor or model name, or None when it could identify the home."""
    if not value:
        return None
    cleaned = " ".join(_LABEL_OK.sub("", value).split())[:48].strip()
    if not cleaned or _ADDRESSY.search(value):
        return None
    return cleaned


def _bounded(value: float | int | None, limit: float) -> float | None:
    return float(value) if value is not None and 0 <= value < limit else None


def router_out(report: Report, weak_dbm: float = -75.0) -> tuple[RouterOut | None, LineOut | None]:
    """The router and line sections of the upload, or (None, None) without router data."""
    data = report.data_of(RouterData)
    if data is None:
        return None, None
    counters, shared = data.counters, data.during_speed_test
    router = RouterOut(
        vendor=label(data.vendor),
        model=label(data.model),
        source=data.source,
        uptime_h=round(data.uptime_s / 3600, 1) if data.uptime_s is not None else None,
        clients=min(len(data.clients), 10**6),
        wifi_clients=sum(1 for c in data.clients if c.wifi),
        weak_wifi_clients=sum(
            1
            for c in data.clients
            if c.wifi and c.signal_dbm is not None and c.signal_dbm < weak_dbm
        ),
        wan_down_mbit=_bounded(counters.down_mbit if counters else None, 1e6),
        wan_up_mbit=_bounded(counters.up_mbit if counters else None, 1e6),
        speed_test_other_down_mbit=_bounded(shared.other_down_mbit if shared else None, 1e6),
        speed_test_other_up_mbit=_bounded(shared.other_up_mbit if shared else None, 1e6),
    )
    line = None
    if data.line is not None:
        raw = data.line.model_dump(exclude={"status", "line_uptime_s"})
        fields = LineOut.model_fields
        clean = {k: v for k, v in raw.items() if k in fields and (k == "type" or _in_range(v, k))}
        line = LineOut.model_validate(clean)
    return router, line


def _in_range(value: object, key: str) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if key.endswith("_db"):
        return -100 <= value <= 200
    if key.endswith("_kbit"):
        return 0 <= value < 100_000_000
    return 0 <= value < 10**12
