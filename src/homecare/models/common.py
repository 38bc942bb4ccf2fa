"""Shared enums and the base model every report type derives from.

Kept separate so that probe- and area-specific model modules (wifi, devices,
connection) can import them without importing the whole report.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for every report type: unknown fields are errors, so a typo in a
    plugin or a tampered file is caught instead of silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False)


class Segment(StrEnum):
    """Where along the path from this device to the internet a fault lies."""

    DEVICE = "device"
    WIFI = "wifi"
    LAN = "lan"
    ROUTER = "router"
    PROVIDER = "provider"
    INTERNET = "internet"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """How much a finding matters; ordered from harmless to blocking."""

    INFO = "info"
    WARNING = "warning"
    PROBLEM = "problem"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.WARNING: 1,
    Severity.PROBLEM: 2,
    Severity.CRITICAL: 3,
}


class ProbeStatus(StrEnum):
    """Outcome of one probe run; anything but OK still yields an observation."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"
