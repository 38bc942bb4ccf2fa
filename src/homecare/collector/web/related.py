"""Technician sessions and monitoring alerts that belong with a support code.

Both live in collector tables owned by their own features
(:mod:`homecare.collector.sessions_db`, :mod:`homecare.collector.alerts_db`).
The desk only reads them, through those modules, and shows an empty state
when there is nothing (an empty list) or a feature is absent (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from homecare.collector.alerts_db import alert_feed
from homecare.collector.session_view import session_view
from homecare.collector.sessions_db import (
    StoredSession,
    find_sessions_by_code,
    find_sessions_by_installation,
    find_sessions_by_job,
)


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    job_id: str | None
    plan: str
    created_at: datetime | None
    status: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (title, pass/warn/fail)
    url: str | None = None
    support_code: str = ""


@dataclass(frozen=True)
class AlertSummary:
    """One monitoring alert: when it opened and, if it did, when it recovered."""

    code: str
    segment: str | None
    opened_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Related:
    sessions: list[SessionSummary] | None = None
    alerts: list[AlertSummary] | None = None


@dataclass(frozen=True)
class SessionStory:
    """A technician session looked up by its own support code."""

    view: dict[str, Any]  # homecare.collector.session_view.session_view
    same_job: list[SessionSummary]


def find_session_story(engine: Engine, provider: str, support_code: str) -> SessionStory | None:
    found = find_sessions_by_code(engine, provider, support_code)
    if not found:
        return None
    first = found[0]
    same_job = (
        [session_summary(s) for s in find_sessions_by_job(engine, provider, first.job_id)]
        if first.job_id
        else []
    )
    return SessionStory(session_view(engine, first), same_job)


def find_related(engine: Engine, provider: str, support_code: str, installation_id: str) -> Related:
    """Technician sessions at this installation and its alerts, where the
    collector has those features."""
    return Related(
        sessions=_sessions(engine, provider, installation_id),
        alerts=_alerts(engine, provider, installation_id),
    )


def session_summary(found: StoredSession) -> SessionSummary:
    upload = found.document.get("upload", {})
    return SessionSummary(
        session_id=found.id,
        job_id=found.job_id,
        plan=str(upload.get("plan_id", "?")),
        created_at=_when(upload.get("created_at")),
        status=str(upload.get("status", "?")),
        steps=[(str(s.get("key", "")), str(s.get("status", ""))) for s in upload.get("steps", [])],
        url=f"/desk/?code={found.support_code}",
        support_code=found.support_code,
    )


def _sessions(engine: Engine, provider: str, installation_id: str) -> list[SessionSummary] | None:
    """Sessions at this installation, newest first: an indexed equality on
    ``tech_sessions.installation_id`` (migration 0007)."""
    found = find_sessions_by_installation(engine, provider, installation_id, limit=20)
    return [session_summary(s) for s in found]


def _alerts(engine: Engine, provider: str, installation_id: str) -> list[AlertSummary]:
    """The installation's alert feed, one line per alert (opened, then closed),
    newest first."""
    by_key: dict[str, dict[str, Any]] = {}
    for event in alert_feed(engine, provider, installation_id, limit=100):
        entry = by_key.setdefault(
            event.alert_key, {"code": event.code, "segment": event.segment, "opened_at": None,
                              "closed_at": None},
        )  # fmt: skip
        entry["opened_at" if event.event == "opened" else "closed_at"] = event.at
    alerts = [AlertSummary(**entry) for entry in by_key.values()]
    newest = datetime.min.replace(tzinfo=UTC)
    return sorted(alerts, key=lambda a: a.opened_at or a.closed_at or newest, reverse=True)


def _when(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
