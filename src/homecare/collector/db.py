"""Tables and the few queries the collector needs, on SQLite and PostgreSQL.

SQLAlchemy Core rather than the ORM: every request is one statement, and the
duplicate-safe insert needs the dialect's ``ON CONFLICT DO NOTHING``.
The schema itself is created by the Alembic migrations in ``migrations/``;
``metadata`` here mirrors it for queries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData()

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("provider", String(64), nullable=False),
    Column("installation_id", String(64), nullable=False),
    Column("support_code", String(12), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def make_engine(url: str) -> Engine:
    """An engine tuned per dialect: SQLite in WAL mode with a busy timeout so
    concurrent writers wait instead of failing; PostgreSQL with a pool sized
    for uvicorn's thread pool."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acknowledged upload survives a crash
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def sqlite_url(path: str) -> str:
    return f"sqlite+pysqlite:///{path}"


def insert_upload(
    engine: Engine, *, upload_id: str, provider: str, installation_id: str, support_code: str,
    created_at: datetime, payload_json: str,
) -> bool:
    """Store one upload; False when that id was already stored (nothing written)."""
    values = {
        "id": upload_id,
        "provider": provider,
        "installation_id": installation_id,
        "support_code": support_code,
        "created_at": created_at,
        "received_at": datetime.now(UTC),
        "payload": payload_json,
    }
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(uploads)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(uploads.c.id)
    )
    with engine.begin() as conn:
        # RETURNING yields the row only when it was inserted: portable, unlike rowcount
        return conn.execute(stmt).first() is not None


def delete_installation(engine: Engine, provider: str, installation_id: str) -> int:
    stmt = delete(uploads).where(
        uploads.c.provider == provider, uploads.c.installation_id == installation_id
    )
    with engine.begin() as conn:
        return int(conn.execute(stmt).rowcount)


@dataclass(frozen=True)
class StoredUpload:
    id: str
    support_code: str
    received_at: datetime
    payload: dict[str, Any]


def find_by_code(engine: Engine, provider: str | None, code: str) -> list[StoredUpload]:
    """Uploads with this support code, newest first (codes are short, so two
    uploads may share one; the caller shows how many matched)."""
    stmt = select(uploads.c.id, uploads.c.support_code, uploads.c.received_at, uploads.c.payload)
    stmt = stmt.where(uploads.c.support_code == code)
    if provider is not None:
        stmt = stmt.where(uploads.c.provider == provider)
    stmt = stmt.order_by(uploads.c.received_at.desc()).limit(20)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [StoredUpload(r[0], r[1], _aware(r[2]), json.loads(r[3])) for r in rows]


def iter_payloads(engine: Engine, provider: str | None) -> Iterator[dict[str, Any]]:
    """Every stored payload (streamed), for insights."""
    stmt = select(uploads.c.payload)
    if provider is not None:
        stmt = stmt.where(uploads.c.provider == provider)
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=1000).execute(stmt)
        for (raw,) in result:
            yield json.loads(raw)


def count_uploads(engine: Engine) -> tuple[int, int]:
    """(rows, distinct ids): equal unless the unique constraint failed."""
    from sqlalchemy import func

    with engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.count(uploads.c.id.distinct())).select_from(uploads)
        ).one()
    return int(row[0]), int(row[1])


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
