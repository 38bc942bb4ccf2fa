"""Cohort filters: one WHERE clause for uploads, findings and devices alike
(the child tables carry the same dimension columns, see :mod:`..extract`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Table

DIMENSION_FILTERS = ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band")


class BadFilter(ValueError):
    """A filter value that cannot be used (one line, shown to the caller)."""


@dataclass(frozen=True)
class Filters:
    """Equality on dimensions, and a date range on when the check ran
    (``since`` inclusive, ``until`` exclusive, UTC days)."""

    plan_tier: str | None = None
    router_vendor: str | None = None
    router_model: str | None = None
    connection_type: str | None = None
    wifi_band: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Filters:
        """From query parameters or CLI options (unknown keys ignored, empty = no filter)."""
        values: dict[str, Any] = {}
        for name in DIMENSION_FILTERS:
            raw = params.get(name)
            if raw not in (None, ""):
                if len(str(raw)) > 64:
                    raise BadFilter(f"{name} is longer than 64 characters")
                values[name] = str(raw)
        for name in ("since", "until"):
            raw = params.get(name)
            if raw in (None, ""):
                continue
            try:
                values[name] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
            except ValueError:
                raise BadFilter(f"{name} must be a date like 2026-05-01") from None
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        """The filters in use, as text (echoed in the insights document)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def where(self, table: Table, provider: str | None) -> list[ColumnElement[bool]]:
        """The conditions on *table* (uploads, upload_findings or upload_devices)."""
        conds: list[ColumnElement[bool]] = []
        if provider is not None:
            conds.append(table.c.provider == provider)
        for name in DIMENSION_FILTERS:
            value = getattr(self, name)
            if value is not None:
                conds.append(table.c[name] == value)
        if self.since is not None:
            conds.append(table.c.created_at >= datetime.combine(self.since, time(), UTC))
        if self.until is not None:
            conds.append(table.c.created_at < datetime.combine(self.until, time(), UTC))
        return conds
