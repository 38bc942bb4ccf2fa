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
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from homecare.collector.extract import extract
from homecare.collector.schema_columns import (
    audit_columns,
    dimension_columns,
    insight_columns,
    limit_columns,
)

metadata = MetaData()

uploads = Table(
    "uploads",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("installation_id", String(64), nullable=False),
    Column("support_code", String(12), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
    *insight_columns(),
)

#: One row per stored upload id, per provider: the duplicate check. A table of
#: its own because PostgreSQL's partitioned ``uploads`` can only enforce keys
#: that include the partition column.
upload_keys = Table(
    "upload_keys",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("installation_id", String(64), nullable=False),
)

upload_findings = Table(
    "upload_findings",
    metadata,
    Column("provider", String(64), nullable=False),
    Column("upload_id", String(36), nullable=False),
    Column("installation_id", String(64), nullable=False),
    Column("code", String(120), nullable=False),
    *dimension_columns(),
)

upload_devices = Table(
    "upload_devices",
    metadata,
    Column("provider", String(64), nullable=False),
    Column("upload_id", String(36), nullable=False),
    Column("installation_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("vendor", String(64)),
    *dimension_columns(),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

rate_buckets = Table("rate_buckets", metadata, *limit_columns())
audit_events = Table("audit_events", metadata, *audit_columns())


def make_engine(url: str) -> Engine:
    """An engine tuned per dialect: SQLite in WAL mode with a busy timeout so
    concurrent writers wait instead of failing; PostgreSQL with a pool sized
    for uvicorn's thread pool."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=20,
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
    engine: Engine,
    *,
    upload_id: str,
    provider: str,
    installation_id: str,
    support_code: str,
    created_at: datetime,
    payload_json: str,
    source_net: str | None = None,
    payload: dict[str, Any] | None = None,
    defer_rollups: bool = False,
) -> bool:
    """Store one upload with its extracted columns and child rows; False when
    this provider already stored that id (nothing written). Ids are keyed per
    provider: another provider's upload with the same id is its own row.

    *source_net* is the sender's network as the API saw it (the sybil
    defence counts distinct networks); None, for an import that bypasses the
    API, counts the installation as a network of its own. *payload* is
    *payload_json* already parsed, when the caller has it. *defer_rollups*:
    leave the roll-ups to the folder (the API does, on PostgreSQL)."""
    parsed = payload if payload is not None else json.loads(payload_json)
    row = extract(parsed, source_net or f"direct:{installation_id}", provider)
    values = {
        "id": upload_id,
        "provider": provider,
        "installation_id": installation_id,
        "support_code": support_code,
        "received_at": datetime.now(UTC),
        "payload": payload_json,
        **row.columns,
        "created_at": created_at,
    }
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    claim = (
        dialect.insert(upload_keys)
        .values(provider=provider, id=upload_id, installation_id=installation_id)
        .on_conflict_do_nothing(index_elements=["provider", "id"])
        .returning(upload_keys.c.id)
    )
    owner = {"provider": provider, "upload_id": upload_id, "installation_id": installation_id}
    shared = row.shared()
    with engine.begin() as conn:
        # RETURNING yields the row only when it was inserted: portable, unlike rowcount
        if conn.execute(claim).first() is None:
            return False
        conn.execute(insert(uploads).values(**values))
        if row.finding_codes:
            conn.execute(
                insert(upload_findings),
                [{**owner, **shared, "code": code} for code in row.finding_codes],
            )
        if row.devices:
            conn.execute(
                insert(upload_devices),
                [{**owner, **shared, "kind": k, "vendor": v} for k, v in row.devices],
            )
        _rollups_changed(conn, provider, installation_id, defer_rollups)
    return True


def _rollups_changed(
    conn: Connection, provider: str, installation_id: str, defer_rollups: bool
) -> None:
    """Refresh the installation's roll-ups now, or (*defer_rollups*, on
    PostgreSQL) mark it for the folder (:mod:`homecare.collector.rollup_queue`)."""
    from homecare.collector import rollup_queue
    from homecare.collector.rollups import refresh_installation  # rollups imports db

    if defer_rollups and rollup_queue.deferred(conn):
        rollup_queue.mark(conn, provider, installation_id)
    else:
        refresh_installation(conn, provider, installation_id)


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
