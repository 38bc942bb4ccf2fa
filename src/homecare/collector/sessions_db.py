"""Technicians' keys and their sessions in the collector's database.

A session is stored as the signed document it arrived as (so the desk can
re-check the signature at any time), under its support code and job id.
The tables are created by migration 0003; 0007 adds the installation
column (indexed with the provider and arrival time), so the desk finds an
installation's sessions by equality.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, insert, select
from sqlalchemy.exc import IntegrityError

from homecare.collector.db import metadata

technicians = Table(
    "technicians",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("public_key", String(64), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tech_sessions = Table(
    "tech_sessions",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("support_code", String(12), nullable=False),
    Column("job_id", String(64)),
    Column("technician", String(120), nullable=False),
    Column("before_id", String(36)),
    Column("installation_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("document", Text, nullable=False),
)


def add_technician(engine: Engine, provider: str, name: str, public_key: str) -> bool:
    """Register a key; False when this provider has it already."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(technicians).values(
                    provider=provider,
                    public_key=public_key,
                    name=name,
                    created_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        return False
    return True


def technician_for(engine: Engine, provider: str, public_key: str) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(technicians.c.name).where(
                technicians.c.provider == provider, technicians.c.public_key == public_key
            )
        ).first()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class StoredSession:
    provider: str
    id: str
    support_code: str
    job_id: str | None
    technician: str
    before_id: str | None
    received_at: datetime
    document: dict[str, Any]


def insert_session(
    engine: Engine, *, provider: str, upload: dict[str, Any], support_code: str,
    technician: str, document_json: str,
) -> bool:  # fmt: skip
    """Store a verified session; False when this provider stored that id already."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(tech_sessions).values(
                    provider=provider,
                    id=upload["upload_id"],
                    support_code=support_code,
                    job_id=upload.get("job_id"),
                    technician=technician,
                    before_id=upload.get("before_upload_id"),
                    installation_id=upload.get("installation_id"),
                    created_at=datetime.fromisoformat(upload["created_at"]),
                    received_at=datetime.now(UTC),
                    document=document_json,
                )
            )
    except IntegrityError:
        return False
    return True


_COLUMNS = (
    tech_sessions.c.provider, tech_sessions.c.id, tech_sessions.c.support_code, tech_sessions.c.job_id,
    tech_sessions.c.technician, tech_sessions.c.before_id, tech_sessions.c.received_at,
    tech_sessions.c.document,
)  # fmt: skip


def _rows(engine: Engine, *where: Any, limit: int = 50) -> list[StoredSession]:
    stmt = select(*_COLUMNS).where(*where).order_by(tech_sessions.c.received_at.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        StoredSession(r[0], r[1], r[2], r[3], r[4], r[5],
                      r[6] if r[6].tzinfo else r[6].replace(tzinfo=UTC), json.loads(r[7]))
        for r in rows
    ]  # fmt: skip


def find_sessions_by_code(engine: Engine, provider: str | None, code: str) -> list[StoredSession]:
    where = [tech_sessions.c.support_code == code]
    if provider is not None:
        where.append(tech_sessions.c.provider == provider)
    return _rows(engine, *where)


def find_sessions_by_job(engine: Engine, provider: str, job_id: str) -> list[StoredSession]:
    return _rows(engine, tech_sessions.c.provider == provider, tech_sessions.c.job_id == job_id)


def find_sessions_by_installation(
    engine: Engine, provider: str, installation_id: str, limit: int = 20
) -> list[StoredSession]:
    """The installation's sessions, newest first (index ``tech_sessions_installation``)."""
    return _rows(
        engine,
        tech_sessions.c.provider == provider,
        tech_sessions.c.installation_id == installation_id,
        limit=limit,
    )


def get_session(engine: Engine, provider: str | None, session_id: str) -> StoredSession | None:
    where = [tech_sessions.c.id == session_id]
    if provider is not None:
        where.append(tech_sessions.c.provider == provider)
    found = _rows(engine, *where)
    return found[0] if found else None
